/**
 * The signed configuration store's contract (config-store.ts), run against every back end from a test file of its
 * own: sqlite-config-store.contract.test.ts and postgres-config-store.contract.test.ts. Real signed documents
 * (core/config/sign-config-documents.ts); what two hub processes on one store must get right: snapshot versions
 * never handed out twice, and the rules version of a snapshot the other process signed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConfigSet, SignedConfig } from '../../core/config/config-documents.ts';
import { signConfig, signSnapshot } from '../../core/config/sign-config-documents.ts';
import type { MakeStores, StoresUnderTest } from '../db/hub-stores-contract-support.ts';
import type { BundleRow, ConfigStore, SnapshotRow } from './config-store.ts';

const { privateKey } = generateKeyPairSync('ed25519');
const KEY_ID = 'ab'.repeat(32);

function bundle(scope: string, version: number, extra: Partial<BundleRow> = {}): BundleRow {
  const signed = signConfig(privateKey, { type: 'config', scope, version, issuedAt: '2026-01-01T00:00:00.000Z', expires: '2027-01-01T00:00:00.000Z', content: { receipt: { header: [{ 'zh-CN': `第${version}版`, en: `v${version}` }] } } } as never);
  return { scope, version, signed, keyId: KEY_ID, expires: signed.signed.expires, lifetimeDays: 365, publishedAt: `2026-01-0${Math.min(version, 9)}T00:00:00.000Z`, publishedBy: 'test', seededFromRules: null, ...extra };
}

function snapshot(version: number, deviceId: string, rulesVersion: number, scopes: { scope: string; version: number }[] = []): { row: SnapshotRow; set: ConfigSet } {
  const signed = signSnapshot(privateKey, {
    type: 'snapshot',
    deviceId,
    storeId: 'store-1',
    regionId: 'east',
    version,
    rulesVersion,
    issuedAt: '2026-01-01T00:00:00.000Z',
    expires: '2026-02-01T00:00:00.000Z',
    scopes: scopes.map((s) => ({ ...s, digest: 'cd'.repeat(32) })),
  } as never);
  const row: SnapshotRow = { version, deviceId, rulesVersion, signed, keyId: KEY_ID, issuedAt: signed.signed.issuedAt, expires: signed.signed.expires };
  return { row, set: { signingKey: { signed: { type: 'signing-key', version: 1, publicKeyPem: 'pem', keyId: KEY_ID, issuedAt: '2026-01-01T00:00:00.000Z', expires: '2027-01-01T00:00:00.000Z' }, signatures: [] }, snapshot: signed, bundles: [] } };
}

export function describeConfigStoreContract(backEnd: string, makeStores: MakeStores): void {
  describe(`configuration store contract (${backEnd})`, () => {
    let under: StoresUnderTest;
    let store: ConfigStore;

    beforeEach(async () => {
      under = await makeStores();
      store = under.stores.config;
    });

    afterEach(async () => {
      await under.dispose();
    });

    it('keeps every version of a scope, answers the newest, and refuses a version not above it', async () => {
      expect(await store.latestBundles()).toEqual([]);
      expect(await store.latestBundle('global')).toBeNull();
      await store.insertBundle(bundle('global', 1));
      await store.insertBundle(bundle('global', 2));
      await store.insertBundle(bundle('store/store-1', 5));
      expect(await store.latestBundle('global')).toEqual(bundle('global', 2));
      expect((await store.latestBundles()).map((b) => `${b.scope}@${b.version}`)).toEqual(['global@2', 'store/store-1@5']);
      expect((await store.bundleHistory('global')).map((b) => b.version)).toEqual([2, 1]);
      expect((await store.bundleHistory('global', 1)).map((b) => b.version)).toEqual([2]);
      await expect(store.insertBundle(bundle('global', 2))).rejects.toMatchObject({ code: 'CONFIG_VERSION_STALE', details: { scope: 'global', latest: 2 } });
      await expect(store.insertBundle(bundle('store/store-1', 4))).rejects.toMatchObject({ code: 'CONFIG_VERSION_STALE' });
    });

    it('re-signs a version in place, and tells whether HQ ever published a global bundle', async () => {
      await store.insertBundle(bundle('global', 1, { seededFromRules: 3, publishedBy: 'hub' }));
      expect(await store.hqPublishedGlobal()).toBe(false);
      const resigned: SignedConfig = signConfig(privateKey, { ...bundle('global', 1).signed.signed, expires: '2028-01-01T00:00:00.000Z' });
      await store.resignBundle('global', 1, resigned, 'ef'.repeat(32));
      expect(await store.latestBundle('global')).toMatchObject({ version: 1, keyId: 'ef'.repeat(32), expires: '2028-01-01T00:00:00.000Z', seededFromRules: 3, signed: resigned });
      await store.insertBundle(bundle('global', 2));
      expect(await store.hqPublishedGlobal()).toBe(true);
    });

    it('numbers snapshots on from the last, never twice, also for two processes at once', async () => {
      expect(await store.reserveSnapshotVersions(3)).toBe(1);
      expect(await store.reserveSnapshotVersions(1)).toBe(4);
      const other = (await under.another()).config;
      const firsts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store).reserveSnapshotVersions(5)));
      const taken = firsts.flatMap((first) => [0, 1, 2, 3, 4].map((i) => first + i)).sort((a, b) => a - b);
      expect(taken).toEqual(Array.from({ length: 100 }, (_, i) => i + 5));
      // Above every saved snapshot too, whatever the counter says.
      await store.saveSnapshots([snapshot(500, 'kiosk-1', 1)]);
      expect(await store.reserveSnapshotVersions(1)).toBe(501);
    });

    it('keeps each kiosk’s current snapshot and set, and every snapshot it was given', async () => {
      await store.saveSnapshots([snapshot(1, 'kiosk-1', 1), snapshot(2, 'kiosk-2', 1)]);
      await store.saveSnapshots([snapshot(3, 'kiosk-1', 2)]);
      expect((await store.currentSnapshots()).map((s) => `${s.row.deviceId}@${s.row.version}`)).toEqual(['kiosk-1@3', 'kiosk-2@2']);
      expect((await store.currentSnapshots())[0]).toEqual(snapshot(3, 'kiosk-1', 2));
      expect(await store.snapshot(1)).toEqual(snapshot(1, 'kiosk-1', 1).row);
      expect(await store.snapshot(99)).toBeNull();
      expect(await store.snapshotCount()).toBe(3);
      await store.retireSnapshots('kiosk-2');
      expect((await store.currentSnapshots()).map((s) => s.row.deviceId)).toEqual(['kiosk-1']);
      expect(await store.snapshot(2)).not.toBeNull();
    });

    it('answers the rules version of a kiosk’s snapshot, named or newest, and null for another kiosk’s', async () => {
      await store.saveSnapshots([snapshot(1, 'kiosk-1', 7), snapshot(2, 'kiosk-2', 8)]);
      await store.saveSnapshots([snapshot(3, 'kiosk-1', 9)]);
      expect(store.snapshotRulesVersion('kiosk-1', 1)).toBe(7);
      expect(store.snapshotRulesVersion('kiosk-1', 3)).toBe(9);
      expect(store.snapshotRulesVersion('kiosk-1', 'newest')).toBe(9);
      expect(store.snapshotRulesVersion('kiosk-1', 2)).toBeNull();
      expect(store.snapshotRulesVersion('kiosk-3', 'newest')).toBeNull();
    });

    it('answers the rules version of a snapshot another process signed, and of those signed before it opened', async () => {
      await store.saveSnapshots([snapshot(1, 'kiosk-1', 4)]);
      const other = (await under.another()).config;
      expect(other.snapshotRulesVersion('kiosk-1', 1)).toBe(4);
      await other.saveSnapshots([snapshot(2, 'kiosk-1', 5)]);
      // Another process learns of it when the database tells it (at once on SQLite, which reads the file).
      await vi.waitFor(() => expect(store.snapshotRulesVersion('kiosk-1', 'newest')).toBe(5), { timeout: 5_000, interval: 20 });
      expect(store.snapshotRulesVersion('kiosk-1', 2)).toBe(5);
    });

    it('maps merged rules digests to rules versions', async () => {
      expect(await store.maxRulesVersion()).toBe(0);
      expect(await store.rulesVersionByDigest('d1')).toBeNull();
      await store.recordRulesVersion('d1', 3, 'ledger', '2026-01-01T00:00:00.000Z');
      await store.recordRulesVersion('d2', 4, 'merged', '2026-01-01T00:00:00.000Z');
      await store.recordRulesVersion('d1', 6, 'merged', '2026-01-02T00:00:00.000Z');
      expect(await store.rulesVersionByDigest('d1')).toEqual({ rulesVersion: 6, origin: 'merged' });
      expect(await store.maxRulesVersion()).toBe(6);
    });

    it('changes its fingerprint when a bundle is published or the fleet changes, not when a bundle is re-signed', async () => {
      const fleet = under.stores.fleet;
      await fleet.addRegion({ regionId: 'east', name: 'East' });
      const stamps = [await store.fingerprint()];
      const changed = async () => {
        const now = await store.fingerprint();
        const differs = now !== stamps.at(-1);
        stamps.push(now);
        return differs;
      };
      await store.insertBundle(bundle('global', 1));
      expect(await changed()).toBe(true);
      await store.resignBundle('global', 1, bundle('global', 1).signed, 'ef'.repeat(32));
      expect(await changed()).toBe(false);
      await fleet.addStore({ storeId: 'store-1', name: 'One', regionId: 'east' });
      expect(await changed()).toBe(true);
      await fleet.addEnrolmentCode({ codeSha256: 'a'.repeat(64), storeId: 'store-1', mode: 'attended', deviceId: 'kiosk-1', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' });
      expect(await changed()).toBe(false);
      await fleet.redeemEnrolmentCode({ codeSha256: 'a'.repeat(64), now: '2026-01-01T01:00:00.000Z', proposedDeviceId: 'kiosk-1', mqttSecretSha256: 'b'.repeat(64), publicKeyPem: 'pem' });
      expect(await changed()).toBe(true);
      await fleet.revokeDevice('kiosk-1', '2026-01-01T02:00:00.000Z');
      expect(await changed()).toBe(true);
      expect(await changed()).toBe(false);
    });
  });
}
