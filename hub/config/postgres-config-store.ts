/**
 * Signed configuration on the hub's PostgreSQL database (tables config_* of postgres-schema-v8-fleet.ts): the
 * ConfigStore port (config-store.ts) for several hub workers and the CLI on one database. The answers are
 * SQLite's (sqlite-config-store.ts; both pass config-store-contract.ts); what differs is what two processes at once
 * could break:
 *
 * - Snapshot versions are reserved with one upsert on the counter row (config_counters 'snapshot'), which holds the
 *   row's lock until its transaction commits: a second process's reservation waits and numbers on after it. Never
 *   read-max-plus-one.
 * - A new bundle version is stored under a transaction-scoped advisory lock on its scope: two publishers of one
 *   scope take turns, so a lower version never lands after a higher one.
 * - snapshotRulesVersion is synchronous (the ledger asks while it plans a batch): it answers from memory
 *   (snapshot-rules-cache.ts), loaded in full at open and kept up to date by this process's own saves and by
 *   PostgreSQL notifications of every other process's (LISTEN on a connection of its own; after a lost connection,
 *   loaded in full again). A snapshot is saved, committed and notified before it is published to its kiosk, and the
 *   kiosk names it only in transactions it makes afterwards: the notification is there long before them.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { ConfigSet, SignedConfig } from '../../core/config/config-documents.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { PostgresFleetPool } from '../fleet/postgres/postgres-fleet-pool.ts';
import { LEDGER_PG_TYPES } from '../ledger/postgres/pg-integer-types.ts';
import type { BundleRow, ConfigStore, SnapshotRow } from './config-store.ts';
import { toBundle, toSnapshot, type BundleDb, type SnapshotDb } from './config-rows.ts';
import { SnapshotRulesCache } from './snapshot-rules-cache.ts';

const BUNDLE_COLUMNS = 'scope, version, signed_json, key_id, expires, lifetime_days, published_at, published_by, seeded_from_rules';

/** The channel saveSnapshots notifies on; the payload is "first:last" of the versions it saved. */
export const SNAPSHOTS_SAVED_CHANNEL = 'memberkiosk_config_snapshots_saved';
/** Any constant: the first key of the per-scope advisory lock insertBundle takes. */
const BUNDLE_LOCK_KEY = 7_315_008;
const RELISTEN_MS = 1_000;

export interface PostgresConfigStoreOptions {
  logger?: Logger;
  /**
   * Keep snapshotRulesVersion's answers in memory and in step with other processes (default true): the hub.
   * The CLI, which never asks it, opens no listening connection.
   */
  followSnapshots?: boolean;
}

export class PostgresConfigStore implements ConfigStore {
  private opened = false;
  private readonly log: Logger | null;
  private readonly cache = new SnapshotRulesCache();
  private listener: pg.Client | null = null;
  private relisten: NodeJS.Timeout | null = null;
  /** Notifications and reloads, one at a time and in order. */
  private following: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: PostgresFleetPool,
    private readonly options: PostgresConfigStoreOptions = {},
  ) {
    this.log = options.logger?.child({ component: 'hub.config.store' }) ?? null;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    await this.pool.acquire();
    this.opened = true;
    if (this.options.followSnapshots ?? true) {
      try {
        await this.listen();
      } catch (error) {
        await this.close();
        throw error;
      }
    }
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    if (this.relisten) clearTimeout(this.relisten);
    this.relisten = null;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.following.catch(() => undefined);
    this.cache.clear();
    await this.pool.release();
  }

  private get openPool(): PostgresFleetPool {
    if (!this.opened) throw new CodedError('FLEET_NOT_OPEN', 'the configuration store is not open');
    return this.pool;
  }

  private get db(): pg.Pool {
    return this.openPool.handle;
  }

  // bundles

  async latestBundles(): Promise<BundleRow[]> {
    const rows = await this.db.query<BundleDb>(`SELECT DISTINCT ON (scope) ${BUNDLE_COLUMNS} FROM config_bundles ORDER BY scope, version DESC`);
    return rows.rows.map(toBundle);
  }

  async latestBundle(scope: string): Promise<BundleRow | null> {
    const row = (await this.db.query<BundleDb>(`SELECT ${BUNDLE_COLUMNS} FROM config_bundles WHERE scope = $1 ORDER BY version DESC LIMIT 1`, [scope])).rows[0];
    return row ? toBundle(row) : null;
  }

  async bundleHistory(scope: string, limit = 20): Promise<BundleRow[]> {
    return (await this.db.query<BundleDb>(`SELECT ${BUNDLE_COLUMNS} FROM config_bundles WHERE scope = $1 ORDER BY version DESC LIMIT $2`, [scope, limit])).rows.map(toBundle);
  }

  async insertBundle(row: BundleRow): Promise<void> {
    await this.openPool.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BUNDLE_LOCK_KEY, row.scope]);
      const latest = (await client.query<{ version: number | null }>('SELECT max(version) AS version FROM config_bundles WHERE scope = $1', [row.scope])).rows[0]?.version ?? 0;
      if (row.version <= latest) throw new CodedError('CONFIG_VERSION_STALE', `${row.scope} is at version ${latest}; a new version must be above it`, { scope: row.scope, latest });
      await client.query(
        `INSERT INTO config_bundles (${BUNDLE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [row.scope, row.version, JSON.stringify(row.signed), row.keyId, row.expires, row.lifetimeDays, row.publishedAt, row.publishedBy, row.seededFromRules],
      );
    });
  }

  async resignBundle(scope: string, version: number, signed: SignedConfig, keyId: string): Promise<void> {
    await this.db.query('UPDATE config_bundles SET signed_json = $1, key_id = $2, expires = $3 WHERE scope = $4 AND version = $5', [JSON.stringify(signed), keyId, signed.signed.expires, scope, version]);
  }

  async hqPublishedGlobal(): Promise<boolean> {
    return ((await this.db.query("SELECT 1 FROM config_bundles WHERE scope = 'global' AND seeded_from_rules IS NULL LIMIT 1")).rowCount ?? 0) > 0;
  }

  // snapshots

  async reserveSnapshotVersions(count: number): Promise<number> {
    // One statement, atomic: the counter row is locked by the upsert until this (autocommit) statement commits, and
    // a concurrent reservation reads the value this one wrote. Above every saved snapshot too (a database copied in).
    const row = (
      await this.db.query<{ value: number }>(
        `INSERT INTO config_counters (name, value) VALUES ('snapshot', (SELECT coalesce(max(version), 0) FROM config_snapshots) + $1)
         ON CONFLICT (name) DO UPDATE SET value = greatest(config_counters.value, (SELECT coalesce(max(version), 0) FROM config_snapshots)) + $1
         RETURNING value`,
        [count],
      )
    ).rows[0]!;
    return row.value - count + 1;
  }

  async saveSnapshots(snapshots: readonly { row: SnapshotRow; set: ConfigSet }[]): Promise<void> {
    if (snapshots.length === 0) return;
    await this.openPool.transaction(async (client) => {
      for (const { row, set } of snapshots) {
        await client.query('UPDATE config_snapshots SET set_json = NULL WHERE device_id = $1 AND set_json IS NOT NULL', [row.deviceId]);
        await client.query('INSERT INTO config_snapshots (version, device_id, rules_version, signed_json, set_json, key_id, issued_at, expires) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
          row.version,
          row.deviceId,
          row.rulesVersion,
          JSON.stringify(row.signed),
          JSON.stringify(set),
          row.keyId,
          row.issuedAt,
          row.expires,
        ]);
      }
      const versions = snapshots.map((s) => s.row.version);
      // Delivered to every listening process when (and only if) this transaction commits.
      await client.query('SELECT pg_notify($1, $2)', [SNAPSHOTS_SAVED_CHANNEL, `${Math.min(...versions)}:${Math.max(...versions)}`]);
    });
    for (const { row } of snapshots) this.cache.add(row.deviceId, row.version, row.rulesVersion);
  }

  snapshotRulesVersion(deviceId: string, version: number | 'newest'): number | null {
    return this.cache.rulesOf(deviceId, version);
  }

  async retireSnapshots(deviceId: string): Promise<void> {
    await this.db.query('UPDATE config_snapshots SET set_json = NULL WHERE device_id = $1 AND set_json IS NOT NULL', [deviceId]);
  }

  async currentSnapshots(): Promise<{ row: SnapshotRow; set: ConfigSet }[]> {
    const rows = await this.db.query<SnapshotDb>('SELECT * FROM config_snapshots WHERE set_json IS NOT NULL ORDER BY device_id');
    return rows.rows.map((r) => ({ row: toSnapshot(r), set: JSON.parse(r.set_json ?? '{}') as ConfigSet }));
  }

  async snapshot(version: number): Promise<SnapshotRow | null> {
    const row = (await this.db.query<SnapshotDb>('SELECT * FROM config_snapshots WHERE version = $1', [version])).rows[0];
    return row ? toSnapshot(row) : null;
  }

  async snapshotCount(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*) AS n FROM config_snapshots')).rows[0]?.n ?? 0;
  }

  // merged rules versions

  async rulesVersionByDigest(digest: string): Promise<{ rulesVersion: number; origin: 'ledger' | 'merged' } | null> {
    const row = (await this.db.query<{ rules_version: number; origin: 'ledger' | 'merged' }>('SELECT rules_version, origin FROM config_rules_versions WHERE digest = $1', [digest])).rows[0];
    return row ? { rulesVersion: row.rules_version, origin: row.origin } : null;
  }

  async recordRulesVersion(digest: string, rulesVersion: number, origin: 'ledger' | 'merged', at: string): Promise<void> {
    await this.db.query(
      `INSERT INTO config_rules_versions (digest, rules_version, origin, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (digest) DO UPDATE SET rules_version = excluded.rules_version, origin = excluded.origin, created_at = excluded.created_at`,
      [digest, rulesVersion, origin, at],
    );
  }

  async maxRulesVersion(): Promise<number> {
    return (await this.db.query<{ v: number | null }>('SELECT max(rules_version) AS v FROM config_rules_versions')).rows[0]?.v ?? 0;
  }

  /** SQLite's fingerprint, with published_seq where SQLite reads max(rowid) (a bundle inserted, not one re-signed). */
  async fingerprint(): Promise<string> {
    const row = (
      await this.db.query<{ f: string }>(
        `SELECT (SELECT coalesce(max(published_seq), 0) FROM config_bundles) || ':' ||
                (SELECT count(*) || '/' || count(revoked_at) || '/' || coalesce(max(enrolled_at), '') || '/' || coalesce(max(revoked_at), '') FROM fleet_devices) || ':' ||
                (SELECT count(*) || '/' || coalesce(string_agg(store_id || '=' || region_id, ',' ORDER BY store_id), '') FROM fleet_stores) AS f`,
      )
    ).rows[0];
    return row?.f ?? '';
  }

  // following other processes' snapshots

  /** LISTEN first, then load everything: a snapshot saved in between is both loaded and notified, never neither. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.pool.url, types: LEDGER_PG_TYPES });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (message) => {
      if (message.channel !== SNAPSHOTS_SAVED_CHANNEL) return;
      const [first, last] = (message.payload ?? '').split(':').map(Number);
      if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) return;
      // A failure is logged by enqueue; the next notification or a reconnect's full load reads the snapshots.
      this.enqueue(() => this.load(first!, last!)).catch(() => undefined);
    });
    await client.connect();
    try {
      await client.query(`LISTEN ${SNAPSHOTS_SAVED_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
    this.cache.clear();
    await this.enqueue(() => this.load(null, null));
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.listener !== client || !this.opened) return;
    this.listener = null;
    this.log?.warn({ err: error }, 'lost the connection that follows signed snapshots; listening again');
    void client.end().catch(() => undefined);
    const again = () => {
      this.relisten = null;
      if (!this.opened) return;
      this.listen().catch((failure: unknown) => {
        this.log?.warn({ err: failure }, 'could not listen for signed snapshots; trying again');
        if (this.opened) this.relisten = setTimeout(again, RELISTEN_MS);
      });
    };
    this.relisten = setTimeout(again, RELISTEN_MS);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.following.then(work, work);
    this.following = next.catch((error: unknown) => this.log?.error({ err: error }, 'could not read signed snapshots; the next notification or reconnect reads them'));
    return next;
  }

  /** Snapshots first … last into the cache (null: all of them). */
  private async load(first: number | null, last: number | null): Promise<void> {
    if (!this.opened) return;
    const rows =
      first === null
        ? await this.db.query<{ version: number; device_id: string; rules_version: number }>('SELECT version, device_id, rules_version FROM config_snapshots')
        : await this.db.query<{ version: number; device_id: string; rules_version: number }>('SELECT version, device_id, rules_version FROM config_snapshots WHERE version BETWEEN $1 AND $2', [first, last]);
    for (const r of rows.rows) this.cache.add(r.device_id, r.version, r.rules_version);
  }
}
