/**
 * The fleet registry in its own SQLite file (DATA/fleet.sqlite), apart from the ledger: the CLI adds stores,
 * creates codes and revokes kiosks on it while the hub runs (WAL, busy timeout), and no fleet write ever waits
 * on a ledger batch.
 */
import type { Database as Db } from 'better-sqlite3';
import type { Logger } from 'pino';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { DEFAULT_STORE_TIMEZONE } from '../../../core/fleet/store-profile.ts';
import type { EnrolledDevice, EnrolmentCodeRecord, FleetRegistry, KioskMode, NewStore, RedeemOutcome, RedeemRequest, Region, Store, StoreChange } from '../fleet-registry.ts';
import { STORE_COLUMNS, toCode, toDevice, toStore, type CodeRow, type DeviceRow, type StoreRow } from '../fleet-rows.ts';
import { openFleetDatabase } from './open-fleet-database.ts';

export class SqliteFleetRegistry implements FleetRegistry {
  private db: Db | null = null;
  private readonly log: Logger | null;

  constructor(private readonly path: string, logger?: Logger) {
    this.log = logger?.child({ component: 'hub.fleet' }) ?? null;
  }

  private get open_(): Db {
    if (!this.db) throw new CodedError('FLEET_NOT_OPEN');
    return this.db;
  }

  open(): Promise<void> {
    if (this.db) return Promise.resolve();
    this.db = openFleetDatabase(this.path, { synchronous: 'FULL', foreignKeys: true, logger: this.log });
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.db?.close();
    this.db = null;
    return Promise.resolve();
  }

  addRegion(region: Region): Promise<void> {
    return this.run(() => {
      const taken = this.open_.prepare('SELECT 1 FROM regions WHERE region_id = ?').get(region.regionId);
      if (taken) throw new CodedError('FLEET_REGION_EXISTS', `region ${region.regionId} already exists`);
      this.open_.prepare('INSERT INTO regions (region_id, name) VALUES (?, ?)').run(region.regionId, region.name);
    });
  }

  listRegions(): Promise<Region[]> {
    return this.run(() =>
      (this.open_.prepare('SELECT region_id, name FROM regions ORDER BY region_id').all() as { region_id: string; name: string }[]).map((r) => ({ regionId: r.region_id, name: r.name })),
    );
  }

  addStore(store: NewStore): Promise<void> {
    return this.run(() =>
      this.open_
        .transaction(() => {
          if (!this.open_.prepare('SELECT 1 FROM regions WHERE region_id = ?').get(store.regionId)) throw new CodedError('FLEET_UNKNOWN_REGION', `no region ${store.regionId}`);
          if (this.open_.prepare('SELECT 1 FROM stores WHERE store_id = ?').get(store.storeId)) throw new CodedError('FLEET_STORE_EXISTS', `store ${store.storeId} already exists`);
          this.open_
            .prepare('INSERT INTO stores (store_id, name, region_id, address, phone, timezone) VALUES (?, ?, ?, ?, ?, ?)')
            .run(store.storeId, store.name, store.regionId, store.address ?? '', store.phone ?? '', store.timezone ?? DEFAULT_STORE_TIMEZONE);
        })
        .immediate(),
    );
  }

  listStores(): Promise<Store[]> {
    return this.run(() => (this.open_.prepare(`SELECT ${STORE_COLUMNS} FROM stores ORDER BY store_id`).all() as StoreRow[]).map(toStore));
  }

  store(storeId: string): Promise<Store | null> {
    return this.run(() => {
      const row = this.open_.prepare(`SELECT ${STORE_COLUMNS} FROM stores WHERE store_id = ?`).get(storeId) as StoreRow | undefined;
      return row ? toStore(row) : null;
    });
  }

  updateStore(storeId: string, change: StoreChange): Promise<{ before: Store; after: Store } | null> {
    return this.run(() =>
      this.open_
        .transaction(() => {
          const read = () => this.open_.prepare(`SELECT ${STORE_COLUMNS} FROM stores WHERE store_id = ?`).get(storeId) as StoreRow | undefined;
          const row = read();
          if (!row) return null;
          const before = toStore(row);
          const after = { ...before, ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) };
          this.open_.prepare('UPDATE stores SET name = ?, address = ?, phone = ?, timezone = ? WHERE store_id = ?').run(after.name, after.address, after.phone, after.timezone, storeId);
          return { before, after: toStore(read()!) };
        })
        .immediate(),
    );
  }

  addEnrolmentCode(record: Omit<EnrolmentCodeRecord, 'usedAt' | 'usedByDevice'>): Promise<void> {
    return this.run(() => {
      if (!this.open_.prepare('SELECT 1 FROM stores WHERE store_id = ?').get(record.storeId)) throw new CodedError('FLEET_UNKNOWN_STORE', `no store ${record.storeId}`);
      this.open_
        .prepare('INSERT INTO enrolment_codes (code_sha256, store_id, mode, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(record.codeSha256, record.storeId, record.mode, record.deviceId, record.createdAt, record.expiresAt);
    });
  }

  redeemEnrolmentCode(request: RedeemRequest): Promise<RedeemOutcome> {
    return this.run(() =>
      this.open_
        .transaction((): RedeemOutcome => {
          const row = this.open_.prepare('SELECT * FROM enrolment_codes WHERE code_sha256 = ?').get(request.codeSha256) as CodeRow | undefined;
          if (!row) return { ok: false, code: 'ENROL_CODE_UNKNOWN', record: null };
          const record = toCode(row);
          if (record.usedAt) return { ok: false, code: 'ENROL_CODE_USED', record };
          if (Date.parse(record.expiresAt) <= Date.parse(request.now)) return { ok: false, code: 'ENROL_CODE_EXPIRED', record };
          const deviceId = record.deviceId ?? request.proposedDeviceId;
          // A device id is never given twice, not even after a revocation: its seqs and history stay its own.
          if (this.open_.prepare('SELECT 1 FROM devices WHERE device_id = ?').get(deviceId)) return { ok: false, code: 'DEVICE_ALREADY_ENROLLED', record };
          this.open_
            .prepare('INSERT INTO devices (device_id, store_id, mode, mqtt_secret_sha256, public_key, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)')
            .run(deviceId, record.storeId, record.mode, request.mqttSecretSha256, request.publicKeyPem, request.now);
          this.open_.prepare('UPDATE enrolment_codes SET used_at = ?, used_by_device = ? WHERE code_sha256 = ?').run(request.now, deviceId, request.codeSha256);
          const store = toStore(this.open_.prepare(`SELECT ${STORE_COLUMNS} FROM stores WHERE store_id = ?`).get(record.storeId) as StoreRow);
          return { ok: true, device: toDevice(this.open_.prepare('SELECT * FROM devices WHERE device_id = ?').get(deviceId) as DeviceRow), store };
        })
        .immediate(),
    );
  }

  device(deviceId: string): Promise<EnrolledDevice | null> {
    return this.run(() => {
      const row = this.open_.prepare('SELECT * FROM devices WHERE device_id = ?').get(deviceId) as DeviceRow | undefined;
      return row ? toDevice(row) : null;
    });
  }

  listDevices(): Promise<EnrolledDevice[]> {
    return this.run(() => (this.open_.prepare('SELECT * FROM devices ORDER BY device_id').all() as DeviceRow[]).map(toDevice));
  }

  revokeDevice(deviceId: string, at: string): Promise<EnrolledDevice | null> {
    return this.run(() =>
      this.open_
        .transaction(() => {
          this.open_.prepare('UPDATE devices SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL').run(at, deviceId);
          const row = this.open_.prepare('SELECT * FROM devices WHERE device_id = ?').get(deviceId) as DeviceRow | undefined;
          return row ? toDevice(row) : null;
        })
        .immediate(),
    );
  }

  setDeviceMode(deviceId: string, mode: KioskMode): Promise<EnrolledDevice | null> {
    return this.run(() =>
      this.open_
        .transaction(() => {
          this.open_.prepare('UPDATE devices SET mode = ? WHERE device_id = ?').run(mode, deviceId);
          const row = this.open_.prepare('SELECT * FROM devices WHERE device_id = ?').get(deviceId) as DeviceRow | undefined;
          return row ? toDevice(row) : null;
        })
        .immediate(),
    );
  }

  revokedDeviceIds(): Promise<string[]> {
    return this.run(() => (this.open_.prepare('SELECT device_id FROM devices WHERE revoked_at IS NOT NULL').all() as { device_id: string }[]).map((r) => r.device_id));
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
