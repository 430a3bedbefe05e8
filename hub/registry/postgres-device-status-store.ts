/**
 * The device registry on the hub's PostgreSQL database (`device_status`, postgres-schema-v8-fleet.ts): every hub
 * worker records what the kiosks it hears report, and the console of any worker and the CLI read one registry.
 *
 * The records and their merging are SQLite's (device-status-rows.ts; both pass device-status-store-contract.ts).
 * A batch is one database transaction that first locks the rows of its devices, in device id order: two workers
 * merging reports of one kiosk take turns instead of one overwriting the other's merge, and two batches naming the
 * same kiosks in different orders cannot deadlock. A kiosk heard for the first time has no row to lock yet: a
 * placeholder row is made first (apply() says why), so two first reports at once are merged too.
 */
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { PostgresFleetPool } from '../fleet/postgres/postgres-fleet-pool.ts';
import { applyChange, scopesOfSnapshot, toRow, toStatus, type StatusRow } from './device-status-rows.ts';
import type { DeviceStatus, DeviceStatusChange, DeviceStatusStore, RolloutContext } from './device-status.ts';

const COLUMNS = [
  'device_id',
  'online',
  'online_changed_at',
  'last_seen',
  'software',
  'snapshot_version',
  'rules_version',
  'scope_versions',
  'config_expires',
  'drivers',
  'outbox_depth',
  'clock_offset_ms',
  'last_alert',
  'last_refusal',
  'state_at',
  'updated_at',
] as const satisfies readonly (keyof StatusRow)[];

/**
 * Every record of a batch in one statement (the rows as one JSON parameter, typed by the table's own row type):
 * a fleet's kiosks report thousands of times a minute, and a statement per kiosk was a round trip each.
 */
const UPSERT_ALL = `INSERT INTO device_status (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.join(', ')} FROM json_populate_recordset(NULL::device_status, $1::json) ORDER BY device_id
  ON CONFLICT (device_id) DO UPDATE SET ${COLUMNS.slice(1)
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

export class PostgresDeviceStatusStore implements DeviceStatusStore {
  private opened = false;
  private readonly log: Logger | null;

  constructor(
    private readonly pool: PostgresFleetPool,
    logger?: Logger,
  ) {
    this.log = logger?.child({ component: 'hub.registry' }) ?? null;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    await this.pool.acquire();
    this.opened = true;
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    await this.pool.release();
  }

  private get openPool(): PostgresFleetPool {
    if (!this.opened) throw new CodedError('FLEET_NOT_OPEN', 'the device registry is not open');
    return this.pool;
  }

  async apply(changes: readonly DeviceStatusChange[], now: string): Promise<DeviceStatus[]> {
    if (changes.length === 0) return [];
    return this.openPool.transaction(async (client) => {
      const ids = [...new Set(changes.map((c) => c.deviceId))].sort();
      // A kiosk heard of for the first time by two workers at once has no row to lock yet: both would compute from
      // nothing and the later upsert would drop the other's merge. So a placeholder row (updated_at '') is made first
      // for each new kiosk — a second writer waits on it, then finds the first's record — and every row is locked.
      // A placeholder never commits as such: this transaction writes every record below.
      await client.query(`INSERT INTO device_status (device_id, updated_at) SELECT d, '' FROM unnest($1::text[]) AS d ORDER BY d ON CONFLICT (device_id) DO NOTHING`, [ids]);
      const locked = await client.query<StatusRow>('SELECT * FROM device_status WHERE device_id = ANY($1::text[]) ORDER BY device_id FOR UPDATE', [ids]);
      // A placeholder ('' updated_at) is no record yet: merged from nothing, as before.
      const current = new Map(locked.rows.filter((r) => r.updated_at !== '').map((r) => [r.device_id, toStatus(r)] as const));
      const out: DeviceStatus[] = [];
      for (const change of changes) {
        const next = applyChange(current.get(change.deviceId) ?? null, change, now);
        current.set(change.deviceId, next);
        out.push(next);
      }
      // One record per device, after all its changes, all in one statement.
      await client.query(UPSERT_ALL, [JSON.stringify(ids.map((id) => toRow(current.get(id)!)))]);
      return out;
    });
  }

  async list(): Promise<DeviceStatus[]> {
    return (await this.openPool.handle.query<StatusRow>('SELECT * FROM device_status ORDER BY device_id')).rows.map(toStatus);
  }

  async get(deviceId: string): Promise<DeviceStatus | null> {
    const row = (await this.openPool.handle.query<StatusRow>('SELECT * FROM device_status WHERE device_id = $1', [deviceId])).rows[0];
    return row ? toStatus(row) : null;
  }

  async markAllOffline(now: string): Promise<number> {
    const done = await this.openPool.handle.query('UPDATE device_status SET online = 0, online_changed_at = $1, updated_at = $1 WHERE online = 1', [now]);
    return done.rowCount ?? 0;
  }

  /** The signed configuration's tables are in this database always (the same migration made them). */
  async rolloutContext(scope: string, version: number, refused: readonly { deviceId: string; snapshotVersion: number }[]): Promise<RolloutContext> {
    const db = this.openPool.handle;
    const published = (await db.query<{ published_at: string }>('SELECT published_at FROM config_bundles WHERE scope = $1 AND version = $2', [scope, version])).rows[0];
    const snapshotScopes = new Map<string, Record<string, number>>();
    if (refused.length) {
      const rows = await db.query<{ version: number; device_id: string; signed_json: string }>(
        'SELECT s.version, s.device_id, s.signed_json FROM config_snapshots s JOIN unnest($1::bigint[], $2::text[]) AS r(version, device_id) ON r.version = s.version AND r.device_id = s.device_id',
        [refused.map((r) => r.snapshotVersion), refused.map((r) => r.deviceId)],
      );
      for (const row of rows.rows) {
        const scopes = scopesOfSnapshot(row.signed_json);
        if (scopes) snapshotScopes.set(`${row.device_id}/${row.version}`, scopes);
      }
    }
    this.log?.debug({ scope, version, refused: refused.length }, 'rollout context read');
    return { configKnown: true, publishedAt: published?.published_at ?? null, snapshotScopes };
  }
}
