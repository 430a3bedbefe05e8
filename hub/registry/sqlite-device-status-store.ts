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
import type { ReportedAlert, ReportedRefusal } from './device-state-report.ts';
import { NO_ROLLOUT_CONTEXT, type DeviceStatus, type DeviceStatusChange, type DeviceStatusStore, type RolloutContext } from './device-status.ts';

interface StatusRow {
  device_id: string;
  online: 0 | 1 | null;
  online_changed_at: string | null;
  last_seen: string | null;
  software: string | null;
  snapshot_version: number | null;
  rules_version: number | null;
  scope_versions: string;
  config_expires: string | null;
  drivers: string | null;
  outbox_depth: number | null;
  clock_offset_ms: number | null;
  last_alert: string | null;
  last_refusal: string | null;
  state_at: string | null;
  updated_at: string;
}

/** A JSON column written by this file; anything else (a hand edit) reads as null rather than failing a listing. */
function json<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

const toStatus = (r: StatusRow): DeviceStatus => ({
  deviceId: r.device_id,
  online: r.online === null ? null : r.online === 1,
  onlineChangedAt: r.online_changed_at,
  lastSeen: r.last_seen,
  software: r.software,
  snapshotVersion: r.snapshot_version,
  rulesVersion: r.rules_version,
  scopeVersions: json<Record<string, number>>(r.scope_versions) ?? {},
  configExpires: r.config_expires,
  drivers: json<Record<string, unknown>>(r.drivers),
  outboxDepth: r.outbox_depth,
  clockOffsetMs: r.clock_offset_ms,
  lastAlert: json<ReportedAlert>(r.last_alert),
  lastRefusal: json<ReportedRefusal>(r.last_refusal),
  stateAt: r.state_at,
  updatedAt: r.updated_at,
});

const toRow = (s: DeviceStatus): StatusRow => ({
  device_id: s.deviceId,
  online: s.online === null ? null : s.online ? 1 : 0,
  online_changed_at: s.onlineChangedAt,
  last_seen: s.lastSeen,
  software: s.software,
  snapshot_version: s.snapshotVersion,
  rules_version: s.rulesVersion,
  scope_versions: JSON.stringify(s.scopeVersions),
  config_expires: s.configExpires,
  drivers: s.drivers === null ? null : JSON.stringify(s.drivers),
  outbox_depth: s.outboxDepth,
  clock_offset_ms: s.clockOffsetMs,
  last_alert: s.lastAlert === null ? null : JSON.stringify(s.lastAlert),
  last_refusal: s.lastRefusal === null ? null : JSON.stringify(s.lastRefusal),
  state_at: s.stateAt,
  updated_at: s.updatedAt,
});

const empty = (deviceId: string, now: string): DeviceStatus => ({
  deviceId,
  online: null,
  onlineChangedAt: null,
  lastSeen: null,
  software: null,
  snapshotVersion: null,
  rulesVersion: null,
  scopeVersions: {},
  configExpires: null,
  drivers: null,
  outboxDepth: null,
  clockOffsetMs: null,
  lastAlert: null,
  lastRefusal: null,
  stateAt: null,
  updatedAt: now,
});

/** The scope versions a signed snapshot (core/config/config-documents.ts) names, or null when it does not read. */
function scopesOfSnapshot(signedJson: string): Record<string, number> | null {
  const doc = json<{ signed?: { scopes?: unknown } }>(signedJson);
  const scopes = doc?.signed?.scopes;
  if (!Array.isArray(scopes)) return null;
  const out: Record<string, number> = {};
  for (const entry of scopes as unknown[]) {
    const { scope, version } = (entry ?? {}) as { scope?: unknown; version?: unknown };
    if (typeof scope === 'string' && typeof version === 'number') out[scope] = version;
  }
  return out;
}

const later = (a: string | null, b: string | null | undefined): string | null => (b && (!a || b > a) ? b : a);

/** One change applied to one record (pure). */
export function applyChange(current: DeviceStatus | null, change: DeviceStatusChange, now: string): DeviceStatus {
  const next: DeviceStatus = { ...(current ?? empty(change.deviceId, now)), updatedAt: now };
  if (change.state) {
    const { at, ...reported } = change.state;
    Object.assign(next, reported);
    next.stateAt = at;
  }
  if (change.availability) {
    const { online, at, live } = change.availability;
    if (next.online !== online) next.onlineChangedAt = live ? at : next.onlineChangedAt;
    next.online = online;
  }
  next.lastSeen = later(next.lastSeen, change.seenAt);
  return next;
}

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
