/**
 * The registry's parts without a broker: the defensive report parser, the write-behind batching on a real
 * fleet.sqlite (500 kiosks reporting at once → one transaction), a failed write retried, a stale retained copy
 * ignored, the rollout view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_STATE_REPORT_BYTES } from '../../core/wire/limits.ts';
import { SqliteFleetRegistry } from '../fleet/sqlite/sqlite-fleet-registry.ts';
import { parseAvailability, parseStateReport } from './device-state-report.ts';
import { DeviceStatusRecorder } from './device-status-recorder.ts';
import type { DeviceStatus, DeviceStatusChange, DeviceStatusStore } from './device-status.ts';
import { buildDevicesView } from './devices-view.ts';
import { SqliteDeviceStatusStore } from './sqlite-device-status-store.ts';

const silent = pino({ level: 'silent' });
const report = (body: Record<string, unknown>) => Buffer.from(JSON.stringify(body));

describe('parseStateReport', () => {
  it('reads today’s report and the extended one, ignoring unknown fields', () => {
    const today = parseStateReport('k1', report({ deviceId: 'k1', connected: true, outboxDepth: 0, epoch: 'E', versions: { bundle: 3 }, clockOffsetMs: 12.6, alerts: [{ code: 'CLOCK_SKEW', at: 't2', detail: {} }, { code: 'X', at: 't1', detail: {} }], at: 't' }));
    expect(today).toMatchObject({ ok: true, dropped: [], state: { rulesVersion: 3, outboxDepth: 0, clockOffsetMs: 13, lastAlert: { code: 'CLOCK_SKEW', at: 't2' }, at: 't', software: null, scopeVersions: {} } });
    const extended = parseStateReport(
      'k1',
      report({ software: '1.2.3', config: { snapshotVersion: 9, rulesVersion: 4, scopeVersions: { global: 2, 'store:S1': 5, 'kiosk:k1': 1, 'planet/mars': 1 }, expires: 'e', lastRefusal: { code: 'CONFIG_ROLLBACK', detail: { have: 5, got: 4 }, version: 4, at: 'r' } }, extra: 1 }),
    );
    expect(extended).toMatchObject({
      ok: true,
      dropped: ['config.scopeVersions.planet/mars'],
      state: { software: '1.2.3', snapshotVersion: 9, scopeVersions: { global: 2, 'store/S1': 5, 'device/k1': 1 }, configExpires: 'e', lastRefusal: { code: 'CONFIG_ROLLBACK', detail: '{"have":5,"got":4}', version: 4, scope: null, at: 'r' } },
    });
  });

  it('drops a field of the wrong shape on its own, and refuses only what cannot describe this kiosk', () => {
    expect(parseStateReport('k1', report({ software: 7, outboxDepth: -1, config: 'x', drivers: [] }))).toMatchObject({ ok: true, dropped: ['config', 'software', 'drivers', 'outboxDepth'] });
    expect(parseStateReport('k1', Buffer.from('nope'))).toMatchObject({ ok: false, code: 'DEVICE_STATE_MALFORMED' });
    expect(parseStateReport('k1', Buffer.from('null'))).toMatchObject({ ok: false, code: 'DEVICE_STATE_MALFORMED' });
    expect(parseStateReport('k1', report({ deviceId: 'k2' }))).toMatchObject({ ok: false, code: 'DEVICE_STATE_MISMATCH' });
    expect(parseStateReport('k1', report({ deviceId: 5 }))).toMatchObject({ ok: false, code: 'DEVICE_STATE_MISMATCH' });
    expect(parseStateReport('k1', Buffer.alloc(MAX_STATE_REPORT_BYTES + 1, 0x20))).toMatchObject({ ok: false, code: 'DEVICE_STATE_TOO_LARGE' });
    const long = parseStateReport('k1', report({ config: { lastRefusal: { code: 'CONFIG_INVALID', detail: 'é'.repeat(5_000) } } }));
    expect(long.ok && long.state.lastRefusal?.detail?.length).toBe(500);
    expect(parseAvailability(Buffer.from('offline'))).toEqual({ ok: true, online: false });
    expect(parseAvailability(Buffer.from('online\n'))).toEqual({ ok: true, online: true });
    expect(parseAvailability(Buffer.from('on'))).toMatchObject({ ok: false });
  });
});

describe('DeviceStatusRecorder on fleet.sqlite', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  async function openStore(): Promise<{ store: SqliteDeviceStatusStore; path: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'mk-registry-'));
    const path = join(dir, 'fleet.sqlite');
    const fleet = new SqliteFleetRegistry(path);
    await fleet.open();
    const store = new SqliteDeviceStatusStore(path);
    await store.open();
    cleanups.push(async () => {
      await store.close();
      await fleet.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { store, path };
  }

  it('writes 500 kiosks reporting at once in one transaction, then announces each record', async () => {
    const { store, path } = await openStore();
    let transactions = 0;
    const counting: DeviceStatusStore = { ...bind(store), apply: (changes, now) => ((transactions += 1), store.apply(changes, now)) };
    const recorder = new DeviceStatusRecorder({ store: counting, logger: silent, batchMs: 50 });
    recorder.start();
    const announced: DeviceStatus[] = [];
    recorder.onRecorded((s) => announced.push(s));
    for (let i = 0; i < 500; i += 1) {
      const id = `k${String(i).padStart(3, '0')}`;
      recorder.receiveAvailability(id, Buffer.from('online'), false);
      recorder.receiveState(id, report({ deviceId: id, config: { scopeVersions: { 'store/S': 3 } }, at: new Date().toISOString() }), false);
      recorder.seen(id);
    }
    await recorder.waitFor((s) => s.deviceId === 'k499');
    expect(transactions).toBe(1);
    expect(announced).toHaveLength(500);
    expect(announced.every((s) => s.online === true && s.scopeVersions['store/S'] === 3)).toBe(true);
    await recorder.stop();
    recorder.receiveState('late', report({}), false);
    await recorder.flush();
    expect(transactions).toBe(1);

    // What the CLI reads, read-only, while the hub holds the file.
    const reader = new SqliteDeviceStatusStore(path, undefined, { readonly: true });
    await reader.open();
    expect(await reader.list()).toHaveLength(500);
    await reader.close();
    // The embedded broker restarted: nobody is connected to it.
    expect(await store.markAllOffline(new Date().toISOString())).toBe(500);
    expect((await store.get('k000'))?.online).toBe(false);
  });

  it('keeps a batch whose write failed and writes it, merged with what came since, on the retry', async () => {
    const { store } = await openStore();
    let fail = true;
    const flaky: DeviceStatusStore = {
      ...bind(store),
      apply: (changes: readonly DeviceStatusChange[], now: string) => {
        if (fail) {
          fail = false;
          return Promise.reject(new Error('SQLITE_BUSY'));
        }
        return store.apply(changes, now);
      },
    };
    const recorder = new DeviceStatusRecorder({ store: flaky, logger: silent, batchMs: 10 });
    recorder.start();
    recorder.receiveState('k1', report({ software: 'one', outboxDepth: 4 }), false);
    await recorder.flush();
    expect(recorder.counters().writeFailures).toBe(1);
    recorder.receiveAvailability('k1', Buffer.from('offline'), false);
    await recorder.flush();
    expect(await store.get('k1')).toMatchObject({ software: 'one', outboxDepth: 4, online: false });
    await recorder.stop();
  });

  it('ignores a retained copy that comes after a newer report the kiosk sent live, and takes a newer one', async () => {
    // The order the broker can deliver on the hub's subscription (e2e/support/latest-reports.test.ts): k1's new
    // report live, then the retained copy of its previous one; k2's retained copy is all there is of it.
    const { store } = await openStore();
    const recorder = new DeviceStatusRecorder({ store, logger: silent, batchMs: 10 });
    recorder.start();
    const state = (snapshotVersion: number | null, at: string) => report({ deviceId: 'k1', config: { snapshotVersion }, at });
    recorder.receiveState('k1', state(4, '2026-01-01T00:00:02.000Z'), false);
    recorder.receiveState('k1', state(null, '2026-01-01T00:00:01.000Z'), true);
    recorder.receiveState('k2', report({ deviceId: 'k2', config: { snapshotVersion: 7 }, at: '2026-01-01T00:00:01.000Z' }), true);
    await recorder.flush();
    expect(await store.get('k1')).toMatchObject({ snapshotVersion: 4, stateAt: '2026-01-01T00:00:02.000Z' });
    expect(await store.get('k2')).toMatchObject({ snapshotVersion: 7 });
    expect(recorder.counters()).toMatchObject({ states: 2, staleRetained: 1 });
    // A retained copy newer than the last live report (sent while the hub was not subscribed, say) is taken.
    recorder.receiveState('k1', state(5, '2026-01-01T00:00:03.000Z'), true);
    await recorder.flush();
    expect(await store.get('k1')).toMatchObject({ snapshotVersion: 5, stateAt: '2026-01-01T00:00:03.000Z' });
    await recorder.stop();
  });
});

describe('which refusals were of a rollout (hub/config’s tables in the same fleet.sqlite)', () => {
  it('reads the refused snapshot’s scopes, else the time the version was published', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mk-registry-'));
    const path = join(dir, 'fleet.sqlite');
    const fleet = new SqliteFleetRegistry(path);
    await fleet.open();
    const store = new SqliteDeviceStatusStore(path);
    await store.open();
    try {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(path);
      const snapshot = (version: number, deviceId: string, scopes: { scope: string; version: number }[]) =>
        db
          .prepare('INSERT INTO config_snapshots (version, device_id, rules_version, signed_json, key_id, issued_at, expires) VALUES (?, ?, 1, ?, ?, ?, ?)')
          .run(version, deviceId, JSON.stringify({ signed: { type: 'snapshot', deviceId, version, scopes }, signatures: [] }), 'k', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
      snapshot(40, 'k1', [{ scope: 'global', version: 1 }, { scope: 'store/S1', version: 3 }]);
      snapshot(41, 'k2', [{ scope: 'global', version: 1 }, { scope: 'store/S1', version: 2 }]);
      db.prepare('INSERT INTO config_bundles (scope, version, signed_json, key_id, expires, lifetime_days, published_at, published_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        'store/S1', 3, '{}', 'k', '2026-02-01T00:00:00.000Z', 30, '2026-01-10T00:00:00.000Z', 'admin',
      );
      db.close();

      const context = await store.rolloutContext('store/S1', 3, [{ deviceId: 'k1', snapshotVersion: 40 }, { deviceId: 'k2', snapshotVersion: 41 }, { deviceId: 'k3', snapshotVersion: 40 }]);
      expect(context).toEqual({ configKnown: true, publishedAt: '2026-01-10T00:00:00.000Z', snapshotScopes: new Map([['k1/40', { global: 1, 'store/S1': 3 }], ['k2/41', { global: 1, 'store/S1': 2 }]]) });

      const refusal = (version: number | null, at: string) => ({ code: 'CONFIG_SIGNATURE_INVALID', detail: null, version, scope: null, at });
      const view = buildDevicesView(
        {
          devices: ['k1', 'k2', 'k3', 'k4'].map((deviceId) => ({ deviceId, storeId: 'S1', mode: 'attended' as const, mqttSecretSha256: 'h', publicKeyPem: 'p', enrolledAt: 't', revokedAt: null })),
          stores: [{ storeId: 'S1', name: 'one', regionId: 'R1' }],
          statuses: [
            statusOf('k1', { 'store/S1': 2 }, refusal(40, '2026-01-10T00:00:05.000Z')), // refused the snapshot carrying v3
            statusOf('k2', { 'store/S1': 1 }, refusal(41, '2026-01-10T00:00:05.000Z')), // refused one carrying v2 only
            statusOf('k3', { 'store/S1': 2 }, refusal(null, '2026-01-10T00:00:09.000Z')), // unreadable set, after v3 was published
            statusOf('k4', { 'store/S1': 2 }, refusal(null, '2026-01-09T00:00:00.000Z')), // before
          ],
        },
        { scope: 'store/S1', version: 3 },
        context,
      );
      expect(view.rollout?.refused.map((r) => r.deviceId)).toEqual(['k1', 'k3']);
      expect(view.rollout?.notReported.map((r) => r.deviceId)).toEqual(['k2', 'k4']);
    } finally {
      await store.close();
      await fleet.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function statusOf(deviceId: string, scopeVersions: Record<string, number>, lastRefusal: DeviceStatus['lastRefusal'] = null): DeviceStatus {
  return { deviceId, online: true, onlineChangedAt: null, lastSeen: 't', software: null, snapshotVersion: null, rulesVersion: null, scopeVersions, configExpires: null, drivers: null, outboxDepth: null, clockOffsetMs: null, lastAlert: null, lastRefusal, stateAt: null, updatedAt: 't' };
}

describe('buildDevicesView', () => {
  it('sorts a scope’s kiosks into applied, refused and not reported, leaving revoked ones out', () => {
    const device = (deviceId: string, storeId: string, revokedAt: string | null = null) => ({ deviceId, storeId, mode: 'attended' as const, mqttSecretSha256: 'h', publicKeyPem: 'p', enrolledAt: 't', revokedAt });
    const status = statusOf;
    const refusal = (version: number, scope: string | null) => ({ code: 'CONFIG_EXPIRED', detail: null, version, scope, at: null });
    const view = buildDevicesView(
      {
        devices: [device('a', 'S1'), device('b', 'S1'), device('c', 'S1'), device('d', 'S1'), device('e', 'S2'), device('f', 'S1', 't'), device('g', 'S1')],
        stores: [{ storeId: 'S1', name: 'one', regionId: 'R1' }, { storeId: 'S2', name: 'two', regionId: 'R2' }],
        statuses: [status('a', { 'region/R1': 4 }), status('b', { 'region/R1': 2 }, refusal(3, null)), status('c', { 'region/R1': 2 }, refusal(3, 'store/S1')), status('e', { 'region/R2': 9 }), status('g', { 'region/R1': 2 })],
      },
      { scope: 'region/R1', version: 3 },
    );
    expect(view.devices.map((d) => d.deviceId)).toEqual(['a', 'b', 'c', 'd', 'f', 'g']);
    expect(view.rollout).toEqual({
      scope: 'region/R1',
      version: 3,
      applied: [{ deviceId: 'a', version: 4 }],
      refused: [{ deviceId: 'b', code: 'CONFIG_EXPIRED', detail: null, at: null }],
      notReported: [
        { deviceId: 'c', version: 2, reported: true },
        { deviceId: 'd', version: null, reported: false },
        { deviceId: 'g', version: 2, reported: true },
      ],
    });
  });
});

/** The store's methods bound, so a test can replace one of them. */
function bind(store: SqliteDeviceStatusStore): DeviceStatusStore {
  return {
    open: () => store.open(),
    close: () => store.close(),
    apply: (changes, now) => store.apply(changes, now),
    list: () => store.list(),
    get: (id) => store.get(id),
    markAllOffline: (now) => store.markAllOffline(now),
    rolloutContext: (scope, version, refused) => store.rolloutContext(scope, version, refused),
  };
}
