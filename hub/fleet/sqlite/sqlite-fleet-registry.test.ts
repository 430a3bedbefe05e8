import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEnrolmentCode, redeemEnrolmentCode } from '../enrolment.ts';
import { secretMatches } from '../device-secret.ts';
import { SqliteFleetRegistry } from './sqlite-fleet-registry.ts';

const CA = 'cd'.repeat(32);
const log = pino({ level: 'silent' });
const publicKeyPem = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('fleet registry (real SQLite file)', () => {
  let dir: string;
  let registry: SqliteFleetRegistry;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-fleet-'));
    registry = new SqliteFleetRegistry(join(dir, 'fleet.sqlite'));
    await registry.open();
    await registry.addRegion({ regionId: 'kanto', name: 'Kanto' });
    await registry.addStore({ storeId: 'store-001', name: 'Shibuya', regionId: 'kanto' });
  });

  afterEach(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('knows every store’s region, and refuses a store in no region or twice', async () => {
    expect(await registry.store('store-001')).toEqual({ storeId: 'store-001', name: 'Shibuya', regionId: 'kanto', address: '', phone: '', timezone: 'Asia/Shanghai' });
    await expect(registry.addStore({ storeId: 'store-002', name: 'X', regionId: 'nowhere' })).rejects.toMatchObject({ code: 'FLEET_UNKNOWN_REGION' });
    await expect(registry.addStore({ storeId: 'store-001', name: 'X', regionId: 'kanto' })).rejects.toMatchObject({ code: 'FLEET_STORE_EXISTS' });
    await expect(registry.addRegion({ regionId: 'kanto', name: 'again' })).rejects.toMatchObject({ code: 'FLEET_REGION_EXISTS' });
    expect(await registry.listRegions()).toEqual([{ regionId: 'kanto', name: 'Kanto' }]);
    expect(await registry.store('store-404')).toBeNull();
  });

  it('keeps a store’s profile, changes what is given and answers it before and after', async () => {
    await registry.addStore({ storeId: 'store-002', name: '静安店', regionId: 'kanto', address: '南京西路1号', timezone: 'Asia/Tokyo' });
    expect(await registry.store('store-002')).toMatchObject({ address: '南京西路1号', phone: '', timezone: 'Asia/Tokyo' });
    const changed = await registry.updateStore('store-002', { phone: '021-6288 0000', timezone: 'Asia/Shanghai' });
    expect(changed?.before).toMatchObject({ name: '静安店', phone: '', timezone: 'Asia/Tokyo' });
    expect(changed?.after).toEqual({ storeId: 'store-002', name: '静安店', regionId: 'kanto', address: '南京西路1号', phone: '021-6288 0000', timezone: 'Asia/Shanghai' });
    expect(await registry.store('store-002')).toEqual(changed?.after);
    expect(await registry.updateStore('store-404', { name: 'x' })).toBeNull();
  });

  it('gives the stores of a fleet written before profiles an empty address and phone, in Asia/Shanghai', async () => {
    const old = join(dir, 'old-fleet.sqlite');
    const db = new Database(old);
    // The stores table as schema 1 made it, a store in it, and the file at schema 3 (the last before profiles).
    db.exec(`CREATE TABLE regions (region_id TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE stores (store_id TEXT PRIMARY KEY, name TEXT NOT NULL, region_id TEXT NOT NULL REFERENCES regions(region_id)) WITHOUT ROWID;
      INSERT INTO regions VALUES ('east', 'East'); INSERT INTO stores VALUES ('s-1', '一店', 'east');`);
    db.pragma('user_version = 3');
    db.close();
    const upgraded = new SqliteFleetRegistry(old);
    await upgraded.open();
    try {
      expect(await upgraded.listStores()).toEqual([{ storeId: 's-1', name: '一店', regionId: 'east', address: '', phone: '', timezone: 'Asia/Shanghai' }]);
    } finally {
      await upgraded.close();
    }
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

  it('revokes a device once, and a second connection to the same file sees it', async () => {
    const { code } = await createEnrolmentCode(registry, { storeId: 'store-001', mode: 'unattended', ttlMs: 60_000, caSha256: CA, deviceId: 'kiosk-1' });
    await redeemEnrolmentCode(registry, { code, publicKeyPem: publicKeyPem() }, log);
    const other = new SqliteFleetRegistry(join(dir, 'fleet.sqlite'));
    await other.open();
    const revoked = await other.revokeDevice('kiosk-1', '2026-01-01T00:00:00.000Z');
    expect(revoked?.revokedAt).toBe('2026-01-01T00:00:00.000Z');
    expect((await other.revokeDevice('kiosk-1', '2027-01-01T00:00:00.000Z'))?.revokedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(await other.revokeDevice('nobody', '2026-01-01T00:00:00.000Z')).toBeNull();
    await other.close();
    expect(await registry.revokedDeviceIds()).toEqual(['kiosk-1']);
    expect((await registry.device('kiosk-1'))?.revokedAt).toBe('2026-01-01T00:00:00.000Z');
  });
});
