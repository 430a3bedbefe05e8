/**
 * The fleet: HQ → regions → stores → kiosks, the one-time enrolment codes that bring a kiosk into it, and
 * what the broker needs to know a kiosk again (the SHA-256 of its MQTT secret, whether it is revoked).
 * An async port, so a back end on a server database fits behind it; hub/fleet/sqlite/ is the one there is.
 */
export const KIOSK_MODES = ['attended', 'unattended'] as const;
export type KioskMode = (typeof KIOSK_MODES)[number];

export interface Region {
  regionId: string;
  name: string;
}

export interface Store {
  storeId: string;
  name: string;
  regionId: string;
  /** Printed at the top of its receipts ('' when not set). */
  address: string;
  phone: string;
  /** IANA zone its kiosks print and show times in (core/fleet/store-profile.ts; Asia/Shanghai unless HQ set another). */
  timezone: string;
}

/** A store as it is added: its profile may be filled in later (PATCH /api/stores/:id). */
export type NewStore = Pick<Store, 'storeId' | 'name' | 'regionId'> & Partial<Pick<Store, 'address' | 'phone' | 'timezone'>>;

/** What HQ may change of a store: its name and profile (never its id or region: kiosks and snapshots name both). */
export type StoreChange = Partial<Pick<Store, 'name' | 'address' | 'phone' | 'timezone'>>;

export interface EnrolmentCodeRecord {
  codeSha256: string;
  storeId: string;
  mode: KioskMode;
  /** The device id the code enrols; null: the hub names the kiosk. */
  deviceId: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedByDevice: string | null;
}

export interface EnrolledDevice {
  deviceId: string;
  storeId: string;
  mode: KioskMode;
  mqttSecretSha256: string;
  /** The kiosk's own Ed25519 public key (SPKI PEM), for signed receipts and reports. */
  publicKeyPem: string;
  enrolledAt: string;
  revokedAt: string | null;
}

export interface RedeemRequest {
  codeSha256: string;
  now: string;
  /** Used when the code names no device id. */
  proposedDeviceId: string;
  mqttSecretSha256: string;
  publicKeyPem: string;
}

export type RedeemOutcome =
  | { ok: true; device: EnrolledDevice; store: Store }
  | { ok: false; code: 'ENROL_CODE_UNKNOWN' | 'ENROL_CODE_USED' | 'ENROL_CODE_EXPIRED' | 'DEVICE_ALREADY_ENROLLED'; record: EnrolmentCodeRecord | null };

export interface FleetRegistry {
  open(): Promise<void>;
  close(): Promise<void>;
  addRegion(region: Region): Promise<void>;
  listRegions(): Promise<Region[]>;
  /** Refused (FLEET_UNKNOWN_REGION) when the region does not exist: the hub knows every store's region. */
  addStore(store: NewStore): Promise<void>;
  listStores(): Promise<Store[]>;
  store(storeId: string): Promise<Store | null>;
  /** The store before and after the change, in one database transaction; null when there is no such store. */
  updateStore(storeId: string, change: StoreChange): Promise<{ before: Store; after: Store } | null>;
  addEnrolmentCode(record: Omit<EnrolmentCodeRecord, 'usedAt' | 'usedByDevice'>): Promise<void>;
  /** In one database transaction: the code is checked, marked used and the device recorded — or nothing changes. */
  redeemEnrolmentCode(request: RedeemRequest): Promise<RedeemOutcome>;
  device(deviceId: string): Promise<EnrolledDevice | null>;
  listDevices(): Promise<EnrolledDevice[]>;
  /** The device as revoked now (unchanged if it already was), or null when there is no such device. */
  revokeDevice(deviceId: string, at: string): Promise<EnrolledDevice | null>;
  /** HQ changes how a kiosk stands (a shop-floor kiosk moved to a counter); null when there is no such device. */
  setDeviceMode(deviceId: string, mode: KioskMode): Promise<EnrolledDevice | null>;
  /** Ids of every revoked device: the running hub compares them with its connected clients. */
  revokedDeviceIds(): Promise<string[]>;
}
