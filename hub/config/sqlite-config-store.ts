/**
 * Signed configuration in the fleet's SQLite file (DATA/fleet.sqlite, tables of hub/fleet/sqlite/migrate-fleet.ts
 * version 2), for a single hub: the ConfigStore port (config-store.ts) on its own connection to the file (WAL, busy
 * timeout), so `memberkiosk config publish` stores a bundle while the hub runs and the hub's sync loop
 * (config-sync.ts) picks it up. better-sqlite3 is synchronous: the port's promises are settled before they return.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database as Db, Statement } from 'better-sqlite3';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { ConfigSet, SignedConfig } from '../../core/config/config-documents.ts';
import { FLEET_FILE } from '../fleet/open-fleet-registry.ts';
import { openFleetDatabase } from '../fleet/sqlite/open-fleet-database.ts';
import type { BundleRow, ConfigStore, SnapshotRow } from './config-store.ts';
import { toBundle, toSnapshot, type BundleDb, type SnapshotDb } from './config-rows.ts';

export class SqliteConfigStore implements ConfigStore {
  private db: Db | null = null;
  private snapshotReads: { named: Statement<[number, string], { rules_version: number }>; newest: Statement<[string], { rules_version: number }> } | null = null;

  constructor(private readonly path: string) {}

  async open(): Promise<void> {
    if (this.db) return;
    this.db = openFleetDatabase(this.path, { synchronous: 'FULL' });
  }

  async close(): Promise<void> {
    this.snapshotReads = null;
    this.db?.close();
    this.db = null;
  }

  private get handle(): Db {
    if (!this.db) throw new CodedError('FLEET_NOT_OPEN', 'the configuration store is not open');
    return this.db;
  }

  // bundles

  /** The newest version of every scope. */
  async latestBundles(): Promise<BundleRow[]> {
    return this.handle
      .prepare<[], BundleDb>('SELECT b.* FROM config_bundles b JOIN (SELECT scope, max(version) AS version FROM config_bundles GROUP BY scope) l ON l.scope = b.scope AND l.version = b.version ORDER BY b.scope')
      .all()
      .map(toBundle);
  }

  async latestBundle(scope: string): Promise<BundleRow | null> {
    const row = this.handle.prepare<[string], BundleDb>('SELECT * FROM config_bundles WHERE scope = ? ORDER BY version DESC LIMIT 1').get(scope);
    return row ? toBundle(row) : null;
  }

  /** Every version of a scope, newest first. */
  async bundleHistory(scope: string, limit = 20): Promise<BundleRow[]> {
    return this.handle.prepare<[string, number], BundleDb>('SELECT * FROM config_bundles WHERE scope = ? ORDER BY version DESC LIMIT ?').all(scope, limit).map(toBundle);
  }

  /** Stores a new version; refused (CONFIG_VERSION_STALE) unless it is above the newest of its scope. */
  async insertBundle(row: BundleRow): Promise<void> {
    const db = this.handle;
    db.transaction(() => {
      const latest = db.prepare<[string], { version: number | null }>('SELECT max(version) AS version FROM config_bundles WHERE scope = ?').get(row.scope)?.version ?? 0;
      if (row.version <= latest) throw new CodedError('CONFIG_VERSION_STALE', `${row.scope} is at version ${latest}; a new version must be above it`, { scope: row.scope, latest });
      db.prepare(
        `INSERT INTO config_bundles (scope, version, signed_json, key_id, expires, lifetime_days, published_at, published_by, seeded_from_rules)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(row.scope, row.version, JSON.stringify(row.signed), row.keyId, row.expires, row.lifetimeDays, row.publishedAt, row.publishedBy, row.seededFromRules);
    }).immediate();
  }

  /** The same version, signed again (a rotated key, a renewed expiry). */
  async resignBundle(scope: string, version: number, signed: SignedConfig, keyId: string): Promise<void> {
    this.handle.prepare('UPDATE config_bundles SET signed_json = ?, key_id = ?, expires = ? WHERE scope = ? AND version = ?').run(JSON.stringify(signed), keyId, signed.signed.expires, scope, version);
  }

  /** Whether HQ ever published a global bundle (one not seeded by the hub from its rules store). */
  async hqPublishedGlobal(): Promise<boolean> {
    return this.handle.prepare("SELECT 1 FROM config_bundles WHERE scope = 'global' AND seeded_from_rules IS NULL LIMIT 1").get() !== undefined;
  }

  // snapshots

  /** Numbers `count` new snapshots in one transaction: answers the first; they are first … first + count − 1. */
  async reserveSnapshotVersions(count: number): Promise<number> {
    const db = this.handle;
    return db
      .transaction(() => {
        const latest = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM config_snapshots').get()?.v ?? 0;
        const counter = db.prepare<[], { value: number }>("SELECT value FROM config_counters WHERE name = 'snapshot'").get()?.value ?? 0;
        const first = Math.max(latest, counter) + 1;
        db.prepare("INSERT INTO config_counters (name, value) VALUES ('snapshot', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value").run(first + count - 1);
        return first;
      })
      .immediate();
  }

  /** Records kiosks' new snapshots with their complete sets, in one transaction; older snapshots keep their signed document only. */
  async saveSnapshots(snapshots: readonly { row: SnapshotRow; set: ConfigSet }[]): Promise<void> {
    const db = this.handle;
    const retire = db.prepare('UPDATE config_snapshots SET set_json = NULL WHERE device_id = ? AND set_json IS NOT NULL');
    const insert = db.prepare('INSERT INTO config_snapshots (version, device_id, rules_version, signed_json, set_json, key_id, issued_at, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    db.transaction(() => {
      for (const { row, set } of snapshots) {
        retire.run(row.deviceId);
        insert.run(row.version, row.deviceId, row.rulesVersion, JSON.stringify(row.signed), JSON.stringify(set), row.keyId, row.issuedAt, row.expires);
      }
    }).immediate();
  }

  /**
   * The rules version of this kiosk's snapshot `version` (null: the hub signed no such snapshot for this kiosk),
   * or of its newest snapshot when `version` is 'newest'. The ledger recomputes a transaction with it.
   */
  snapshotRulesVersion(deviceId: string, version: number | 'newest'): number | null {
    // Asked for every kiosk transaction the ledger plans: the statements are prepared once per connection.
    this.snapshotReads ??= {
      named: this.handle.prepare<[number, string], { rules_version: number }>('SELECT rules_version FROM config_snapshots WHERE version = ? AND device_id = ?'),
      newest: this.handle.prepare<[string], { rules_version: number }>('SELECT rules_version FROM config_snapshots WHERE device_id = ? ORDER BY version DESC LIMIT 1'),
    };
    const row = version === 'newest' ? this.snapshotReads.newest.get(deviceId) : this.snapshotReads.named.get(version, deviceId);
    return row?.rules_version ?? null;
  }

  /** A revoked kiosk has no current set any more (its signed snapshots stay, for the transactions that name them). */
  async retireSnapshots(deviceId: string): Promise<void> {
    this.handle.prepare('UPDATE config_snapshots SET set_json = NULL WHERE device_id = ? AND set_json IS NOT NULL').run(deviceId);
  }

  /** Every kiosk's current snapshot and set. */
  async currentSnapshots(): Promise<{ row: SnapshotRow; set: ConfigSet }[]> {
    return this.handle
      .prepare<[], SnapshotDb>('SELECT * FROM config_snapshots WHERE set_json IS NOT NULL ORDER BY device_id')
      .all()
      .map((r) => ({ row: toSnapshot(r), set: JSON.parse(r.set_json ?? '{}') as ConfigSet }));
  }

  async snapshot(version: number): Promise<SnapshotRow | null> {
    const row = this.handle.prepare<[number], SnapshotDb>('SELECT * FROM config_snapshots WHERE version = ?').get(version);
    return row ? toSnapshot(row) : null;
  }

  async snapshotCount(): Promise<number> {
    return this.handle.prepare<[], { n: number }>('SELECT count(*) AS n FROM config_snapshots').get()?.n ?? 0;
  }

  // merged rules versions

  async rulesVersionByDigest(digest: string): Promise<{ rulesVersion: number; origin: 'ledger' | 'merged' } | null> {
    const row = this.handle.prepare<[string], { rules_version: number; origin: 'ledger' | 'merged' }>('SELECT rules_version, origin FROM config_rules_versions WHERE digest = ?').get(digest);
    return row ? { rulesVersion: row.rules_version, origin: row.origin } : null;
  }

  async recordRulesVersion(digest: string, rulesVersion: number, origin: 'ledger' | 'merged', at: string): Promise<void> {
    this.handle
      .prepare('INSERT INTO config_rules_versions (digest, rules_version, origin, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(digest) DO UPDATE SET rules_version = excluded.rules_version, origin = excluded.origin, created_at = excluded.created_at')
      .run(digest, rulesVersion, origin, at);
  }

  async maxRulesVersion(): Promise<number> {
    return this.handle.prepare<[], { v: number | null }>('SELECT max(rules_version) AS v FROM config_rules_versions').get()?.v ?? 0;
  }

  /**
   * What the sync loop compares every poll: changes nothing when nothing that decides a kiosk's configuration
   * changed (bundles published, kiosks enrolled or revoked, stores and their regions).
   */
  async fingerprint(): Promise<string> {
    const row = this.handle
      .prepare<[], { f: string }>(
        `SELECT (SELECT coalesce(max(rowid), 0) FROM config_bundles) || ':' ||
                (SELECT count(*) || '/' || count(revoked_at) || '/' || coalesce(max(enrolled_at), '') || '/' || coalesce(max(revoked_at), '') FROM devices) || ':' ||
                (SELECT count(*) || '/' || coalesce(group_concat(store_id || '=' || region_id, ','), '') FROM stores) AS f`,
      )
      .get();
    return row?.f ?? '';
  }
}

/** The configuration store of a hub data directory (its fleet.sqlite), open. */
export async function openSqliteConfigStore(dataDir: string): Promise<SqliteConfigStore> {
  mkdirSync(dataDir, { recursive: true });
  const store = new SqliteConfigStore(join(dataDir, FLEET_FILE));
  await store.open();
  return store;
}
