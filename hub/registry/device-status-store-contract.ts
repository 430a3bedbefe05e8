/**
 * The device registry store's contract (device-status.ts DeviceStatusStore), run against every back end from a test
 * file of its own: sqlite-device-status-store.contract.test.ts and postgres-device-status-store.contract.test.ts.
 * Merging (state replaces, availability toggles, the newest last-seen wins), the embedded broker's restart, what
 * the signed configuration says about a rollout, and two hub processes merging reports of one kiosk at once.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signConfig, signSnapshot } from '../../core/config/sign-config-documents.ts';
import type { MakeStores, StoresUnderTest } from '../db/hub-stores-contract-support.ts';
import type { ReportedState } from './device-state-report.ts';
import type { DeviceStatusStore } from './device-status.ts';

const state = (over: Partial<ReportedState> = {}): ReportedState => ({
  software: '1.0.0',
  snapshotVersion: 3,
  rulesVersion: 2,
  scopeVersions: { global: 1, 'store/S1': 4 },
  configExpires: '2026-03-01T00:00:00.000Z',
  drivers: { scanner: { ok: true } },
  outboxDepth: 2,
  clockOffsetMs: -40,
  lastAlert: { code: 'CLOCK_SKEW', at: '2026-01-01T00:00:00.000Z', detail: { ms: 900 } },
  lastRefusal: { code: 'CONFIG_ROLLBACK', detail: 'older', version: 2, scope: 'store/S1', at: '2026-01-01T00:00:01.000Z' },
  at: '2026-01-01T00:00:02.000Z',
  ...over,
});

export function describeDeviceStatusStoreContract(backEnd: string, makeStores: MakeStores): void {
  describe(`device registry store contract (${backEnd})`, () => {
    let under: StoresUnderTest;
    let store: DeviceStatusStore;

    beforeEach(async () => {
      under = await makeStores();
      store = under.stores.deviceStatus;
    });

    afterEach(async () => {
      await under.dispose();
    });

    it('merges a batch of changes into each device’s record, in one write, and answers the records as stored', async () => {
      const written = await store.apply(
        [
          { deviceId: 'k2', availability: { online: true, at: '2026-01-01T00:00:00.000Z', live: true }, seenAt: '2026-01-01T00:00:00.000Z' },
          { deviceId: 'k1', state: state(), seenAt: '2026-01-01T00:00:05.000Z' },
          { deviceId: 'k2', seenAt: '2025-12-31T00:00:00.000Z' },
        ],
        '2026-01-01T00:00:10.000Z',
      );
      expect(written.map((s) => s.deviceId)).toEqual(['k2', 'k1', 'k2']);
      expect(await store.list()).toEqual([written[1], written[2]]);
      const k1 = await store.get('k1');
      expect(k1).toEqual({ ...state(), at: undefined, deviceId: 'k1', online: null, onlineChangedAt: null, lastSeen: '2026-01-01T00:00:05.000Z', stateAt: '2026-01-01T00:00:02.000Z', updatedAt: '2026-01-01T00:00:10.000Z' });
      expect(await store.get('k2')).toMatchObject({ online: true, onlineChangedAt: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-01T00:00:00.000Z', software: null, scopeVersions: {} });
      expect(await store.get('k3')).toBeNull();

      // A new state replaces every reported field; availability heard retained keeps when it changed.
      await store.apply([{ deviceId: 'k1', state: state({ software: '1.1.0', lastAlert: null, drivers: null }), availability: { online: false, at: '2026-01-01T00:01:00.000Z', live: false } }], '2026-01-01T00:01:00.000Z');
      expect(await store.get('k1')).toMatchObject({ software: '1.1.0', lastAlert: null, drivers: null, online: false, onlineChangedAt: null, lastSeen: '2026-01-01T00:00:05.000Z' });
      expect(await store.apply([], '2026-01-01T00:02:00.000Z')).toEqual([]);
    });

    it('marks every online kiosk offline when the embedded broker starts, and counts them', async () => {
      await store.apply(
        [
          { deviceId: 'k1', availability: { online: true, at: 't1', live: true } },
          { deviceId: 'k2', availability: { online: true, at: 't1', live: true } },
          { deviceId: 'k3', availability: { online: false, at: 't1', live: true } },
        ],
        't1',
      );
      expect(await store.markAllOffline('t2')).toBe(2);
      expect((await store.list()).map((s) => [s.deviceId, s.online, s.onlineChangedAt, s.updatedAt])).toEqual([
        ['k1', false, 't2', 't2'],
        ['k2', false, 't2', 't2'],
        ['k3', false, 't1', 't1'],
      ]);
      expect(await store.markAllOffline('t3')).toBe(0);
    });

    it('reads which scope versions a refused snapshot carried, and when the version was published', async () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const config = under.stores.config;
      const body = { type: 'config', scope: 'store/S1', version: 3, issuedAt: '2026-01-10T00:00:00.000Z', expires: '2026-02-01T00:00:00.000Z', content: {} } as const;
      const signed = signConfig(privateKey, body);
      await config.insertBundle({ scope: 'store/S1', version: 3, signed, keyId: 'k', expires: body.expires, lifetimeDays: 30, publishedAt: '2026-01-10T00:00:00.000Z', publishedBy: 'admin', seededFromRules: null });
      const snapshot = (version: number, deviceId: string, scopes: { scope: string; version: number }[]) => {
        const doc = signSnapshot(privateKey, { type: 'snapshot', deviceId, storeId: 'S1', regionId: null, version, rulesVersion: 1, issuedAt: '2026-01-01T00:00:00.000Z', expires: '2026-02-01T00:00:00.000Z', scopes: scopes.map((s) => ({ ...s, digest: 'ab'.repeat(32) })) } as never);
        return { row: { version, deviceId, rulesVersion: 1, signed: doc, keyId: 'k', issuedAt: '2026-01-01T00:00:00.000Z', expires: '2026-02-01T00:00:00.000Z' }, set: { signingKey: doc as never, snapshot: doc, bundles: [] } };
      };
      await config.saveSnapshots([snapshot(40, 'k1', [{ scope: 'global', version: 1 }, { scope: 'store/S1', version: 3 }]), snapshot(41, 'k2', [{ scope: 'global', version: 1 }, { scope: 'store/S1', version: 2 }])]);
      const context = await store.rolloutContext('store/S1', 3, [
        { deviceId: 'k1', snapshotVersion: 40 },
        { deviceId: 'k2', snapshotVersion: 41 },
        { deviceId: 'k3', snapshotVersion: 40 },
      ]);
      expect(context).toEqual({ configKnown: true, publishedAt: '2026-01-10T00:00:00.000Z', snapshotScopes: new Map([['k1/40', { global: 1, 'store/S1': 3 }], ['k2/41', { global: 1, 'store/S1': 2 }]]) });
      expect(await store.rolloutContext('store/S1', 4, [])).toEqual({ configKnown: true, publishedAt: null, snapshotScopes: new Map() });
    });

    it('keeps both merges when two processes record reports of one kiosk at once', async () => {
      const other = (await under.another()).deviceStatus;
      await store.apply([{ deviceId: 'k1', seenAt: 't0' }], 't0');
      const rounds = 20;
      await Promise.all(
        Array.from({ length: rounds }, (_, i) =>
          i % 2
            ? other.apply([{ deviceId: 'k1', availability: { online: i % 4 === 1, at: `t${i}`, live: true } }, { deviceId: 'k2', seenAt: `t${String(i).padStart(2, '0')}` }], `u${i}`)
            : store.apply([{ deviceId: 'k2', seenAt: `t${String(i).padStart(2, '0')}` }, { deviceId: 'k1', state: state({ outboxDepth: i }) }], `u${i}`),
        ),
      );
      const k1 = await store.get('k1');
      // Whatever the order, neither kind of change was lost to the other's write.
      expect(k1?.software).toBe('1.0.0');
      expect(k1?.online).not.toBeNull();
      expect(k1?.lastSeen).toBe('t0');
      expect((await store.get('k2'))?.lastSeen).toBe(`t${rounds - 1}`);
    });
  });
}
