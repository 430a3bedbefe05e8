/**
 * `memberkiosk migrate` carries a hub's DATA/fleet.sqlite into PostgreSQL with its ledger (hub/ledger/migrate-to-
 * postgres.ts with fleetPath; fleet-copy-plan.ts): real SQLite files written through the SQLite stores, a real
 * PostgreSQL cluster, the copy compared table by table, and then the PostgreSQL stores answering what the SQLite ones
 * answered — the hub started on the database finds its fleet, its signed configuration and its device registry.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signConfig, signSnapshot } from '../../../core/config/sign-config-documents.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { openHubStores } from '../../db/open-hub-stores.ts';
import { migrateSqliteToPostgres } from '../../ledger/migrate-to-postgres.ts';
import { openLedger } from '../../ledger/open-ledger.ts';
import { freshPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';

const logger = pino({ level: 'silent' });

afterAll(stopPostgres);

describe('migrating a hub’s fleet.sqlite into PostgreSQL with its ledger', { timeout: 60_000 }, () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mk-migrate-fleet-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A ledger with its fallback bundle, and a fleet with a bit of everything, written by the hub's own SQLite stores. */
  async function singleNodeHub(): Promise<void> {
    const ledger = await openLedger({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), logger, fallbackBundle: DEFAULT_RULES_BUNDLE });
    await ledger.close();
    const stores = await openHubStores({ kind: 'sqlite' }, dir);
    try {
      const { fleet, config, deviceStatus } = stores;
      await fleet.addRegion({ regionId: 'east', name: '华东' });
      await fleet.addStore({ storeId: 'store-1', name: '静安店', regionId: 'east', address: '南京西路1号', phone: '021-6288 0000' });
      await fleet.addStore({ storeId: 'store-2', name: 'Two', regionId: 'east' });
      for (const [n, deviceId] of [['a', 'kiosk-1'], ['b', 'kiosk-2']] as const) {
        await fleet.addEnrolmentCode({ codeSha256: n.repeat(64), storeId: 'store-1', mode: 'attended', deviceId, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' });
        await fleet.redeemEnrolmentCode({ codeSha256: n.repeat(64), now: '2026-01-01T01:00:00.000Z', proposedDeviceId: deviceId, mqttSecretSha256: 'c'.repeat(64), publicKeyPem: 'pem' });
      }
      await fleet.addEnrolmentCode({ codeSha256: 'd'.repeat(64), storeId: 'store-2', mode: 'unattended', deviceId: null, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z' });
      await fleet.revokeDevice('kiosk-2', '2026-01-03T00:00:00.000Z');
      const { privateKey } = generateKeyPairSync('ed25519');
      const body = { type: 'config', scope: 'store/store-1', version: 2, issuedAt: '2026-01-01T00:00:00.000Z', expires: '2027-01-01T00:00:00.000Z', content: { receipt: { header: [{ 'zh-CN': '欢迎', en: 'Welcome' }] } } } as const;
      for (const version of [1, 2]) {
        const signed = signConfig(privateKey, { ...body, version } as never);
        await config.insertBundle({ scope: 'store/store-1', version, signed, keyId: 'k1', expires: body.expires, lifetimeDays: 365, publishedAt: `2026-01-0${version}T00:00:00.000Z`, publishedBy: 'cli:ops', seededFromRules: null });
      }
      const first = await config.reserveSnapshotVersions(3);
      for (const [i, rulesVersion] of [1, 1, 2].entries()) {
        const version = first + i;
        const doc = signSnapshot(privateKey, { type: 'snapshot', deviceId: 'kiosk-1', storeId: 'store-1', regionId: 'east', version, rulesVersion, issuedAt: '2026-01-01T00:00:00.000Z', expires: '2026-02-01T00:00:00.000Z', scopes: [{ scope: 'store/store-1', version: 2, digest: 'ab'.repeat(32) }] } as never);
        await config.saveSnapshots([{ row: { version, deviceId: 'kiosk-1', rulesVersion, signed: doc, keyId: 'k1', issuedAt: '2026-01-01T00:00:00.000Z', expires: '2026-02-01T00:00:00.000Z' }, set: { signingKey: doc as never, snapshot: doc, bundles: [] } }]);
      }
      await config.recordRulesVersion('digest-1', 2, 'merged', '2026-01-01T00:00:00.000Z');
      await deviceStatus.apply([{ deviceId: 'kiosk-1', availability: { online: true, at: '2026-01-04T00:00:00.000Z', live: true }, seenAt: '2026-01-04T00:00:01.000Z' }], '2026-01-04T00:00:02.000Z');
    } finally {
      await stores.close();
    }
  }

  it('copies every fleet table, checks each equal, and the PostgreSQL stores answer what the SQLite ones did', async () => {
    await singleNodeHub();
    const url = await freshPostgresDatabase('fleetmigrate');
    const report = await migrateSqliteToPostgres({ sqlitePath: join(dir, 'ledger.sqlite'), postgresUrl: url, logger, fallbackBundle: DEFAULT_RULES_BUNDLE, fleetPath: join(dir, 'fleet.sqlite'), batchRows: 2 });
    expect(report.ok).toBe(true);
    const fleetRows = Object.fromEntries(report.tables.filter((t) => t.note?.startsWith('from fleet.sqlite')).map((t) => [t.table, [t.sqliteRows, t.postgresRows, t.equal]]));
    expect(fleetRows).toEqual({
      fleet_regions: [1, 1, true],
      fleet_stores: [2, 2, true],
      fleet_enrolment_codes: [3, 3, true],
      fleet_devices: [2, 2, true],
      config_bundles: [2, 2, true],
      config_snapshots: [3, 3, true],
      config_counters: [1, 1, true],
      config_rules_versions: [1, 1, true],
      device_status: [1, 1, true],
    });
    expect(report.tables.find((t) => t.table === 'fleet_devices')?.note).toBe('from fleet.sqlite devices');

    const sqlite = await openHubStores({ kind: 'sqlite' }, dir);
    const postgres = await openHubStores({ kind: 'postgres', url }, dir);
    try {
      const answers = async (s: typeof sqlite) => ({
        regions: await s.fleet.listRegions(),
        stores: await s.fleet.listStores(),
        devices: await s.fleet.listDevices(),
        revoked: await s.fleet.revokedDeviceIds(),
        bundles: await s.config.latestBundles(),
        history: await s.config.bundleHistory('store/store-1'),
        current: await s.config.currentSnapshots(),
        snapshots: await s.config.snapshotCount(),
        rules: [s.config.snapshotRulesVersion('kiosk-1', 1), s.config.snapshotRulesVersion('kiosk-1', 'newest')],
        digest: await s.config.rulesVersionByDigest('digest-1'),
        status: await s.deviceStatus.list(),
      });
      const before = await answers(sqlite);
      expect(before.devices).toHaveLength(2);
      expect(await answers(postgres)).toEqual(before);
      // The counter and the code carry on where SQLite stopped: the next snapshot is numbered on, the unused code redeems.
      expect(await postgres.config.reserveSnapshotVersions(1)).toBe(4);
      expect(await postgres.fleet.redeemEnrolmentCode({ codeSha256: 'd'.repeat(64), now: '2026-01-01T02:00:00.000Z', proposedDeviceId: 'kiosk-3', mqttSecretSha256: 'e'.repeat(64), publicKeyPem: 'pem' })).toMatchObject({ ok: true, device: { deviceId: 'kiosk-3', storeId: 'store-2' } });
      // A bundle published on PostgreSQL after the copy is seen by the sync loop's fingerprint.
      const stamp = await postgres.config.fingerprint();
      const { privateKey } = generateKeyPairSync('ed25519');
      const signed = signConfig(privateKey, { type: 'config', scope: 'global', version: 1, issuedAt: '2026-01-01T00:00:00.000Z', expires: '2027-01-01T00:00:00.000Z', content: {} } as never);
      await postgres.config.insertBundle({ scope: 'global', version: 1, signed, keyId: 'k1', expires: '2027-01-01T00:00:00.000Z', lifetimeDays: 365, publishedAt: '2026-01-05T00:00:00.000Z', publishedBy: 'cli:ops', seededFromRules: null });
      expect(await postgres.config.fingerprint()).not.toBe(stamp);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  it('without a fleet.sqlite the fleet’s tables stay empty and are reported so', async () => {
    const ledger = await openLedger({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), logger, fallbackBundle: DEFAULT_RULES_BUNDLE });
    await ledger.close();
    const url = await freshPostgresDatabase('fleetnone');
    const report = await migrateSqliteToPostgres({ sqlitePath: join(dir, 'ledger.sqlite'), postgresUrl: url, logger, fallbackBundle: DEFAULT_RULES_BUNDLE });
    expect(report.ok).toBe(true);
    expect(report.tables.find((t) => t.table === 'fleet_devices')).toEqual({ table: 'fleet_devices', sqliteRows: 0, postgresRows: 0, equal: true, note: 'not in the SQLite ledger' });
  });
});
