/**
 * The device registry in fleet.sqlite's `device_status` table (hub/fleet/sqlite/migrate-fleet.ts, version 3), on a
 * connection of its own: the hub writes it in batches (hub/registry/device-status-recorder.ts) and the CLI reads
 * it while the hub runs (WAL). Reports are re-sent every time a kiosk reconnects, so its writes need not survive a
 * power cut: synchronous = NORMAL keeps a batch from waiting on an fsync the ledger-grade fleet writes make.
 */
import Database, { type Database as Db } from 'better-sqlite3';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import { openFleetDatabase } from '../fleet/sqlite/open-fleet-database.ts';
import { applyChange, scopesOfSnapshot, toRow, toStatus, type StatusRow } from './device-status-rows.ts';
import { NO_ROLLOUT_CONTEXT, type DeviceStatus, type DeviceStatusChange, type DeviceStatusStore, type RolloutContext } from './device-status.ts';

export class SqliteDeviceStatusStore implements DeviceStatusStore {
  private db: Db | null = null;
  private readonly log: Logger | null;

  /** `readonly`: the CLI's reading while the hub runs (open the fleet registry first: it migrates the file). */
  constructor(
    private readonly path: string,
    logger?: Logger,
    private readonly options: { readonly?: boolean } = {},
  ) {
    this.log = logger?.child({ component: 'hub.registry' }) ?? null;
  }

  private get open_(): Db {
    if (!this.db) throw new CodedError('FLEET_NOT_OPEN', 'the device registry is not open');
    return this.db;
  }

  open(): Promise<void> {
    if (this.db) return Promise.resolve();
    if (this.options.readonly) {
      const db = new Database(this.path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      this.db = db;
      return Promise.resolve();
    }
    this.db = openFleetDatabase(this.path, { synchronous: 'NORMAL', logger: this.log });
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.db?.close();
    this.db = null;
    return Promise.resolve();
  }

  apply(changes: readonly DeviceStatusChange[], now: string): Promise<DeviceStatus[]> {
    return this.run(() => {
      const db = this.open_;
      const read = db.prepare<[string], StatusRow>('SELECT * FROM device_status WHERE device_id = ?');
      const write = db.prepare<[StatusRow]>(
        `INSERT OR REPLACE INTO device_status (device_id, online, online_changed_at, last_seen, software, snapshot_version, rules_version,
           scope_versions, config_expires, drivers, outbox_depth, clock_offset_ms, last_alert, last_refusal, state_at, updated_at)
         VALUES (@device_id, @online, @online_changed_at, @last_seen, @software, @snapshot_version, @rules_version,
           @scope_versions, @config_expires, @drivers, @outbox_depth, @clock_offset_ms, @last_alert, @last_refusal, @state_at, @updated_at)`,
      );
      return db
        .transaction(() =>
          changes.map((change) => {
            const row = read.get(change.deviceId);
            const next = applyChange(row ? toStatus(row) : null, change, now);
            write.run(toRow(next));
            return next;
          }),
        )
        .immediate();
    });
  }

  list(): Promise<DeviceStatus[]> {
    return this.run(() => this.open_.prepare<[], StatusRow>('SELECT * FROM device_status ORDER BY device_id').all().map(toStatus));
  }

  get(deviceId: string): Promise<DeviceStatus | null> {
    return this.run(() => {
      const row = this.open_.prepare<[string], StatusRow>('SELECT * FROM device_status WHERE device_id = ?').get(deviceId);
      return row ? toStatus(row) : null;
    });
  }

  markAllOffline(now: string): Promise<number> {
    return this.run(() => this.open_.prepare('UPDATE device_status SET online = 0, online_changed_at = ?, updated_at = ? WHERE online = 1').run(now, now).changes);
  }

  /**
   * Read from hub/config's tables in the same file (config_bundles, config_snapshots), defensively: a hub without
   * them, or rows this reading does not understand, give an unknown context rather than an error.
   */
  rolloutContext(scope: string, version: number, refused: readonly { deviceId: string; snapshotVersion: number }[]): Promise<RolloutContext> {
    return this.run(() => {
      const db = this.open_;
      const tables = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('config_bundles', 'config_snapshots')").all().map((r) => r.name));
      if (tables.size < 2) return NO_ROLLOUT_CONTEXT;
      try {
        const published = db.prepare<[string, number], { published_at: string }>('SELECT published_at FROM config_bundles WHERE scope = ? AND version = ?').get(scope, version);
        const snapshot = db.prepare<[number, string], { signed_json: string }>('SELECT signed_json FROM config_snapshots WHERE version = ? AND device_id = ?');
        const snapshotScopes = new Map<string, Record<string, number>>();
        for (const { deviceId, snapshotVersion } of refused) {
          const row = snapshot.get(snapshotVersion, deviceId);
          const scopes = row ? scopesOfSnapshot(row.signed_json) : null;
          if (scopes) snapshotScopes.set(`${deviceId}/${snapshotVersion}`, scopes);
        }
        return { configKnown: true, publishedAt: published?.published_at ?? null, snapshotScopes };
      } catch (error) {
        this.log?.warn({ err: error }, 'could not read the signed configuration for a rollout; refusals are matched by version only');
        return NO_ROLLOUT_CONTEXT;
      }
    });
  }

  /** better-sqlite3 is synchronous; the port is async so other back ends fit. A thrown error becomes a rejection. */
  private run<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
