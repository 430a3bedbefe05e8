/**
 * The fleet registry's contract (fleet-registry.ts), run against every back end from a test file of its own:
 * sqlite/sqlite-fleet-registry.contract.test.ts and postgres/postgres-fleet-registry.contract.test.ts. Besides what
 * one registry answers, what two processes on one fleet must see: a revocation made by the other, and one enrolment
 * code presented twice at once enrolling one kiosk.
 */
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MakeStores, StoresUnderTest } from '../db/hub-stores-contract-support.ts';
import { secretMatches } from './device-secret.ts';
import { createEnrolmentCode, redeemEnrolmentCode } from './enrolment.ts';
import type { FleetRegistry } from './fleet-registry.ts';

const CA = 'cd'.repeat(32);
const log = pino({ level: 'silent' });
const publicKeyPem = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

export function describeFleetRegistryContract(backEnd: string, makeStores: MakeStores): void {
  describe(`fleet registry contract (${backEnd})`, () => {
    let under: StoresUnderTest;
    let registry: FleetRegistry;

    beforeEach(async () => {
      under = await makeStores();
      registry = under.stores.fleet;
      await registry.addRegion({ regionId: 'kanto', name: 'Kanto' });
      await registry.addStore({ storeId: 'store-001', name: 'Shibuya', regionId: 'kanto' });
    });

    afterEach(async () => {
      await under.dispose();
    });

    it('knows every store’s region, and refuses a store in no region or twice', async () => {
      expect(await registry.store('store-001')).toEqual({ storeId: 'store-001', name: 'Shibuya', regionId: 'kanto', address: '', phone: '', timezone: 'Asia/Shanghai' });
      await expect(registry.addStore({ storeId: 'store-002', name: 'X', regionId: 'nowhere' })).rejects.toMatchObject({ code: 'FLEET_UNKNOWN_REGION' });
      await expect(registry.addStore({ storeId: 'store-001', name: 'X', regionId: 'kanto' })).rejects.toMatchObject({ code: 'FLEET_STORE_EXISTS' });
      await expect(registry.addRegion({ regionId: 'kanto', name: 'again' })).rejects.toMatchObject({ code: 'FLEET_REGION_EXISTS' });
      expect(await registry.listRegions()).toEqual([{ regionId: 'kanto', name: 'Kanto' }]);
      expect(await registry.store('store-404')).toBeNull();
    });

    it('lists regions and stores by id, in byte order', async () => {
      await registry.addRegion({ regionId: 'Z-north', name: 'North' });
      await registry.addRegion({ regionId: 'a-south', name: 'South' });
      await registry.addStore({ storeId: 'store-B', name: 'B', regionId: 'a-south' });
      await registry.addStore({ storeId: 'store-a', name: 'a', regionId: 'Z-north' });
      expect((await registry.listRegions()).map((r) => r.regionId)).toEqual(['Z-north', 'a-south', 'kanto']);
      expect((await registry.listStores()).map((s) => s.storeId)).toEqual(['store-001', 'store-B', 'store-a']);
    });

    it('keeps a store’s profile, changes what is given and answers it before and after', async () => {
      await registry.addStore({ storeId: 'store-002', name: '静安店', regionId: 'kanto', address: '南京西路1号', timezone: 'Asia/Tokyo' });
      expect(await registry.store('store-002')).toMatchObject({ address: '南京西路1号', phone: '', timezone: 'Asia/Tokyo' });
      const changed = await registry.updateStore('store-002', { phone: '021-6288 0000', timezone: 'Asia/Shanghai' });
      expect(changed?.before).toMatchObject({ phone: '', timezone: 'Asia/Tokyo' });
      expect(changed?.after).toEqual({ storeId: 'store-002', name: '静安店', regionId: 'kanto', address: '南京西路1号', phone: '021-6288 0000', timezone: 'Asia/Shanghai' });
      expect(await registry.store('store-002')).toEqual(changed?.after);
      expect(await registry.updateStore('store-404', { name: 'x' })).toBeNull();
    });

    it('redeems a code once, keeps only hashes, and refuses it the second time', async () => {
      const { code } = await createEnrolmentCode(registry, { storeId: 'store-001', mode: 'unattended', ttlMs: 60_000, caSha256: CA });
      expect(code).toMatch(new RegExp(`^MK1-[0-9A-Z]{26}-${CA}$`));
      const grant = await redeemEnrolmentCode(registry, { code, publicKeyPem: publicKeyPem() }, log);
      expect(grant).toMatchObject({ storeId: 'store-001', regionId: 'kanto', mode: 'unattended' });
      expect(grant.deviceId).toMatch(/^kiosk-[0-9a-f]{10}$/);
      const stored = await registry.device(grant.deviceId);
      expect(stored?.mqttSecretSha256).not.toContain(grant.mqttSecret);
      expect(secretMatches(grant.mqttSecret, stored!.mqttSecretSha256)).toBe(true);
      expect(secretMatches(`${grant.mqttSecret}x`, stored!.mqttSecretSha256)).toBe(false);
      await expect(redeemEnrolmentCode(registry, { code, publicKeyPem: publicKeyPem() }, log)).rejects.toMatchObject({ code: 'ENROL_CODE_USED' });
      expect(await registry.listDevices()).toHaveLength(1);
    });

    it('refuses an expired code, an unknown one, a bad key, and a device id given twice', async () => {
      const past = new Date(Date.now() - 3_600_000);
      const expired = await createEnrolmentCode(registry, { storeId: 'store-001', mode: 'attended', ttlMs: 60_000, caSha256: CA, now: past });
      await expect(redeemEnrolmentCode(registry, { code: expired.code, publicKeyPem: publicKeyPem() }, log)).rejects.toMatchObject({ code: 'ENROL_CODE_EXPIRED' });
      await expect(redeemEnrolmentCode(registry, { code: `MK1-${'0'.repeat(26)}-${CA}`, publicKeyPem: publicKeyPem() }, log)).rejects.toMatchObject({ code: 'ENROL_CODE_UNKNOWN' });
      const named = await createEnrolmentCode(registry, { storeId: 'store-001', mode: 'attended', ttlMs: 60_000, caSha256: CA, deviceId: 'kiosk-7' });
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      await expect(redeemEnrolmentCode(registry, { code: named.code, publicKeyPem: rsa }, log)).rejects.toMatchObject({ code: 'ENROL_PUBLIC_KEY_INVALID' });
      expect((await redeemEnrolmentCode(registry, { code: named.code, publicKeyPem: publicKeyPem() }, log)).deviceId).toBe('kiosk-7');
      const again = await createEnrolmentCode(registry, { storeId: 'store-001', mode: 'attended', ttlMs: 60_000, caSha256: CA, deviceId: 'kiosk-7' });
      await expect(redeemEnrolmentCode(registry, { code: again.code, publicKeyPem: publicKeyPem() }, log)).rejects.toMatchObject({ code: 'DEVICE_ALREADY_ENROLLED' });
      await expect(createEnrolmentCode(registry, { storeId: 'store-001', mode: 'attended', ttlMs: 60_000, caSha256: CA, deviceId: 'a/b' })).rejects.toMatchObject({ code: 'DEVICE_ID_INVALID' });
      await expect(createEnrolmentCode(registry, { storeId: 'store-404', mode: 'attended', ttlMs: 60_000, caSha256: CA })).rejects.toMatchObject({ code: 'FLEET_UNKNOWN_STORE' });
    });

    it('a refused redemption changes nothing: the code stays unused and no device is recorded', async () => {
      await registry.addEnrolmentCode({ codeSha256: 'a'.repeat(64), storeId: 'store-001', mode: 'attended', deviceId: 'kiosk-1', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' });
      await registry.addEnrolmentCode({ codeSha256: 'b'.repeat(64), storeId: 'store-001', mode: 'attended', deviceId: 'kiosk-1', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' });
      const request = (code: string) => ({ codeSha256: code.repeat(64), now: '2026-01-01T01:00:00.000Z', proposedDeviceId: 'unused', mqttSecretSha256: 'c'.repeat(64), publicKeyPem: 'pem' });
      expect(await registry.redeemEnrolmentCode(request('a'))).toMatchObject({ ok: true, device: { deviceId: 'kiosk-1', revokedAt: null }, store: { storeId: 'store-001' } });
      const refused = await registry.redeemEnrolmentCode(request('b'));
      expect(refused).toMatchObject({ ok: false, code: 'DEVICE_ALREADY_ENROLLED', record: { usedAt: null, usedByDevice: null } });
      // Still unused: a second try is refused for the same reason, not as a used code.
      expect(await registry.redeemEnrolmentCode(request('b'))).toMatchObject({ ok: false, code: 'DEVICE_ALREADY_ENROLLED' });
      expect((await registry.listDevices()).map((d) => d.deviceId)).toEqual(['kiosk-1']);
    });

    it('one code presented by two processes at once enrols one kiosk; the other is told the code is used', async () => {
      const other = (await under.another()).fleet;
      await registry.addEnrolmentCode({ codeSha256: 'e'.repeat(64), storeId: 'store-001', mode: 'unattended', deviceId: null, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' });
      const request = (proposedDeviceId: string) => ({ codeSha256: 'e'.repeat(64), now: '2026-01-01T01:00:00.000Z', proposedDeviceId, mqttSecretSha256: 'c'.repeat(64), publicKeyPem: 'pem' });
      const outcomes = await Promise.all([registry.redeemEnrolmentCode(request('kiosk-a')), other.redeemEnrolmentCode(request('kiosk-b'))]);
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
      expect(outcomes.filter((o) => !o.ok)).toMatchObject([{ code: 'ENROL_CODE_USED' }]);
      expect(await registry.listDevices()).toHaveLength(1);
    });

    it('revokes a device once, and another process on the same fleet sees it', async () => {
      const { code } = await createEnrolmentCode(registry, { storeId: 'store-001', mode: 'unattended', ttlMs: 60_000, caSha256: CA, deviceId: 'kiosk-1' });
      await redeemEnrolmentCode(registry, { code, publicKeyPem: publicKeyPem() }, log);
      const other = (await under.another()).fleet;
      const revoked = await other.revokeDevice('kiosk-1', '2026-01-01T00:00:00.000Z');
      expect(revoked?.revokedAt).toBe('2026-01-01T00:00:00.000Z');
      expect((await other.revokeDevice('kiosk-1', '2027-01-01T00:00:00.000Z'))?.revokedAt).toBe('2026-01-01T00:00:00.000Z');
      expect(await other.revokeDevice('nobody', '2026-01-01T00:00:00.000Z')).toBeNull();
      expect(await registry.revokedDeviceIds()).toEqual(['kiosk-1']);
      expect((await registry.device('kiosk-1'))?.revokedAt).toBe('2026-01-01T00:00:00.000Z');
    });

    it('changes a kiosk’s mode, and answers null for no such kiosk', async () => {
      const { code } = await createEnrolmentCode(registry, { storeId: 'store-001', mode: 'unattended', ttlMs: 60_000, caSha256: CA, deviceId: 'kiosk-2' });
      await redeemEnrolmentCode(registry, { code, publicKeyPem: publicKeyPem() }, log);
      expect(await registry.setDeviceMode('kiosk-2', 'attended')).toMatchObject({ deviceId: 'kiosk-2', mode: 'attended' });
      expect((await registry.device('kiosk-2'))?.mode).toBe('attended');
      expect(await registry.setDeviceMode('kiosk-404', 'attended')).toBeNull();
    });

    it('refuses to work closed', async () => {
      const other = await under.another();
      await other.close();
      await expect(other.fleet.listStores()).rejects.toMatchObject({ code: 'FLEET_NOT_OPEN' });
    });
  });
}
