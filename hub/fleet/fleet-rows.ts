/**
 * The fleet's rows as both back ends store them (fleet.sqlite's tables and PostgreSQL's fleet_* tables have the same
 * columns), and the registry's records made from them.
 */
import type { EnrolledDevice, EnrolmentCodeRecord, KioskMode, Store } from './fleet-registry.ts';

export interface DeviceRow {
  device_id: string;
  store_id: string;
  mode: KioskMode;
  mqtt_secret_sha256: string;
  public_key: string;
  enrolled_at: string;
  revoked_at: string | null;
}

export interface CodeRow {
  code_sha256: string;
  store_id: string;
  mode: KioskMode;
  device_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by_device: string | null;
}

export interface StoreRow {
  store_id: string;
  name: string;
  region_id: string;
  address: string;
  phone: string;
  timezone: string;
}

export const STORE_COLUMNS = 'store_id, name, region_id, address, phone, timezone';

export const toDevice = (r: DeviceRow): EnrolledDevice => ({
  deviceId: r.device_id,
  storeId: r.store_id,
  mode: r.mode,
  mqttSecretSha256: r.mqtt_secret_sha256,
  publicKeyPem: r.public_key,
  enrolledAt: r.enrolled_at,
  revokedAt: r.revoked_at,
});

export const toCode = (r: CodeRow): EnrolmentCodeRecord => ({
  codeSha256: r.code_sha256,
  storeId: r.store_id,
  mode: r.mode,
  deviceId: r.device_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  usedByDevice: r.used_by_device,
});

export const toStore = (r: StoreRow): Store => ({ storeId: r.store_id, name: r.name, regionId: r.region_id, address: r.address, phone: r.phone, timezone: r.timezone });
