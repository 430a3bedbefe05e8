/**
 * The fleet registry on the hub's PostgreSQL database (tables fleet_* of postgres-schema-v8-fleet.ts), for hubs whose
 * ledger is there too: every hub worker, on any machine, and the CLI beside them read and write one fleet.
 *
 * The answers are SQLite's (hub/fleet/sqlite/sqlite-fleet-registry.ts; both pass fleet-registry-contract.ts). Where
 * two workers could race, the database decides rather than a read-then-write: a region, store or device id taken
 * twice at once is refused by its primary key (ON CONFLICT DO NOTHING, then "nothing inserted" is the refusal), and
 * an enrolment code is redeemed under its row's lock, so two kiosks presenting one code at once get one enrolment
 * and one ENROL_CODE_USED.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { DEFAULT_STORE_TIMEZONE } from '../../../core/fleet/store-profile.ts';
import type { EnrolledDevice, EnrolmentCodeRecord, FleetRegistry, KioskMode, NewStore, RedeemOutcome, RedeemRequest, Region, Store, StoreChange } from '../fleet-registry.ts';
import { STORE_COLUMNS, toCode, toDevice, toStore, type CodeRow, type DeviceRow, type StoreRow } from '../fleet-rows.ts';
import type { PostgresFleetPool } from './postgres-fleet-pool.ts';

const DEVICE_COLUMNS = 'device_id, store_id, mode, mqtt_secret_sha256, public_key, enrolled_at, revoked_at';

export class PostgresFleetRegistry implements FleetRegistry {
  private opened = false;
  private readonly log: Logger | null;

  constructor(
    private readonly pool: PostgresFleetPool,
    logger?: Logger,
  ) {
    this.log = logger?.child({ component: 'hub.fleet' }) ?? null;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    await this.pool.acquire();
    this.opened = true;
    this.log?.debug('fleet registry open on postgres');
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    await this.pool.release();
  }

  private get openPool(): PostgresFleetPool {
    if (!this.opened) throw new CodedError('FLEET_NOT_OPEN');
    return this.pool;
  }

  private get db(): pg.Pool {
    return this.openPool.handle;
  }

  async addRegion(region: Region): Promise<void> {
    const inserted = await this.db.query('INSERT INTO fleet_regions (region_id, name) VALUES ($1, $2) ON CONFLICT (region_id) DO NOTHING', [region.regionId, region.name]);
    if (inserted.rowCount === 0) throw new CodedError('FLEET_REGION_EXISTS', `region ${region.regionId} already exists`);
  }

  async listRegions(): Promise<Region[]> {
    const rows = await this.db.query<{ region_id: string; name: string }>('SELECT region_id, name FROM fleet_regions ORDER BY region_id');
    return rows.rows.map((r) => ({ regionId: r.region_id, name: r.name }));
  }

  async addStore(store: NewStore): Promise<void> {
    await this.openPool.transaction(async (client) => {
      // FOR SHARE: the region cannot go (nor be renamed away) between this check and the insert.
      const region = await client.query('SELECT 1 FROM fleet_regions WHERE region_id = $1 FOR SHARE', [store.regionId]);
      if (region.rowCount === 0) throw new CodedError('FLEET_UNKNOWN_REGION', `no region ${store.regionId}`);
      const inserted = await client.query(
        'INSERT INTO fleet_stores (store_id, name, region_id, address, phone, timezone) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (store_id) DO NOTHING',
        [store.storeId, store.name, store.regionId, store.address ?? '', store.phone ?? '', store.timezone ?? DEFAULT_STORE_TIMEZONE],
      );
      if (inserted.rowCount === 0) throw new CodedError('FLEET_STORE_EXISTS', `store ${store.storeId} already exists`);
    });
  }

  async listStores(): Promise<Store[]> {
    return (await this.db.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM fleet_stores ORDER BY store_id`)).rows.map(toStore);
  }

  async store(storeId: string): Promise<Store | null> {
    const row = (await this.db.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM fleet_stores WHERE store_id = $1`, [storeId])).rows[0];
    return row ? toStore(row) : null;
  }

  async updateStore(storeId: string, change: StoreChange): Promise<{ before: Store; after: Store } | null> {
    return this.openPool.transaction(async (client) => {
      const row = (await client.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM fleet_stores WHERE store_id = $1 FOR UPDATE`, [storeId])).rows[0];
      if (!row) return null;
      const before = toStore(row);
      const after = { ...before, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) };
      const updated = await client.query<StoreRow>(`UPDATE fleet_stores SET name = $1, address = $2, phone = $3, timezone = $4 WHERE store_id = $5 RETURNING ${STORE_COLUMNS}`, [
        after.name,
        after.address,
        after.phone,
        after.timezone,
        storeId,
      ]);
      return { before, after: toStore(updated.rows[0]!) };
    });
  }

  async addEnrolmentCode(record: Omit<EnrolmentCodeRecord, 'usedAt' | 'usedByDevice'>): Promise<void> {
    await this.openPool.transaction(async (client) => {
      const store = await client.query('SELECT 1 FROM fleet_stores WHERE store_id = $1 FOR SHARE', [record.storeId]);
      if (store.rowCount === 0) throw new CodedError('FLEET_UNKNOWN_STORE', `no store ${record.storeId}`);
      await client.query('INSERT INTO fleet_enrolment_codes (code_sha256, store_id, mode, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        record.codeSha256,
        record.storeId,
        record.mode,
        record.deviceId,
        record.createdAt,
        record.expiresAt,
      ]);
    });
  }

  async redeemEnrolmentCode(request: RedeemRequest): Promise<RedeemOutcome> {
    return this.openPool.transaction(async (client): Promise<RedeemOutcome> => {
      // The code's row stays locked until COMMIT: a second kiosk with the same code waits, then finds it used.
      const row = (await client.query<CodeRow>('SELECT * FROM fleet_enrolment_codes WHERE code_sha256 = $1 FOR UPDATE', [request.codeSha256])).rows[0];
      if (!row) return { ok: false, code: 'ENROL_CODE_UNKNOWN', record: null };
      const record = toCode(row);
      if (record.usedAt) return { ok: false, code: 'ENROL_CODE_USED', record };
      if (Date.parse(record.expiresAt) <= Date.parse(request.now)) return { ok: false, code: 'ENROL_CODE_EXPIRED', record };
      const deviceId = record.deviceId ?? request.proposedDeviceId;
      // A device id is never given twice, not even after a revocation: its seqs and history stay its own. Two codes
      // naming one id redeemed at once: the primary key lets one insert through, the other inserts nothing.
      const inserted = await client.query<DeviceRow>(
        `INSERT INTO fleet_devices (device_id, store_id, mode, mqtt_secret_sha256, public_key, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (device_id) DO NOTHING RETURNING ${DEVICE_COLUMNS}`,
        [deviceId, record.storeId, record.mode, request.mqttSecretSha256, request.publicKeyPem, request.now],
      );
      const device = inserted.rows[0];
      if (!device) return { ok: false, code: 'DEVICE_ALREADY_ENROLLED', record };
      await client.query('UPDATE fleet_enrolment_codes SET used_at = $1, used_by_device = $2 WHERE code_sha256 = $3', [request.now, deviceId, request.codeSha256]);
      const store = (await client.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM fleet_stores WHERE store_id = $1`, [record.storeId])).rows[0]!;
      return { ok: true, device: toDevice(device), store: toStore(store) };
    });
  }

  async device(deviceId: string): Promise<EnrolledDevice | null> {
    const row = (await this.db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM fleet_devices WHERE device_id = $1`, [deviceId])).rows[0];
    return row ? toDevice(row) : null;
  }

  async listDevices(): Promise<EnrolledDevice[]> {
    return (await this.db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM fleet_devices ORDER BY device_id`)).rows.map(toDevice);
  }

  async revokeDevice(deviceId: string, at: string): Promise<EnrolledDevice | null> {
    // One statement: the revocation time of a device revoked already is kept (COALESCE), and the row is answered either way.
    const row = (await this.db.query<DeviceRow>(`UPDATE fleet_devices SET revoked_at = COALESCE(revoked_at, $1) WHERE device_id = $2 RETURNING ${DEVICE_COLUMNS}`, [at, deviceId])).rows[0];
    return row ? toDevice(row) : null;
  }

  async setDeviceMode(deviceId: string, mode: KioskMode): Promise<EnrolledDevice | null> {
    const row = (await this.db.query<DeviceRow>(`UPDATE fleet_devices SET mode = $1 WHERE device_id = $2 RETURNING ${DEVICE_COLUMNS}`, [mode, deviceId])).rows[0];
    return row ? toDevice(row) : null;
  }

  async revokedDeviceIds(): Promise<string[]> {
    return (await this.db.query<{ device_id: string }>('SELECT device_id FROM fleet_devices WHERE revoked_at IS NOT NULL ORDER BY device_id')).rows.map((r) => r.device_id);
  }
}
