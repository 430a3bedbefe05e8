/**
 * The device registry: what the hub last heard from each kiosk on its retained availability and state topics —
 * online, last seen, software and configuration versions, driver health, outbox depth, clock skew, last alert and
 * last refusal. One record per device id that ever reported, kept in fleet.sqlite (hub/registry/sqlite-device-
 * status-store.ts) so the CLI reads it while the hub runs. An async port, like the fleet's.
 */
import type { ReportedState } from './device-state-report.ts';

export interface DeviceStatus extends Omit<ReportedState, 'at'> {
  deviceId: string;
  /** From the availability topic (the last will says offline); null until the kiosk's availability is heard. */
  online: boolean | null;
  /** When the hub saw online change (hub clock); null when it only ever read the retained value. */
  onlineChangedAt: string | null;
  /** The hub's time of the newest live message from the kiosk (a retained report counts with its own time). */
  lastSeen: string | null;
  /** The kiosk's own time of its newest state report. */
  stateAt: string | null;
  /** When the hub last wrote this record. */
  updatedAt: string;
}

/** What one batch says about one device; absent parts leave the record as it is. */
export interface DeviceStatusChange {
  deviceId: string;
  /** A whole state report: replaces every reported field (what the kiosk no longer says is no longer shown). */
  state?: ReportedState;
  /** Availability, and the hub's time it was heard. */
  availability?: { online: boolean; at: string; live: boolean };
  /** A candidate for last seen: the newest wins. */
  seenAt?: string;
}

export interface DeviceStatusStore {
  open(): Promise<void>;
  close(): Promise<void>;
  /** In one database transaction: each change merged into its device's record. Returns the records as now stored. */
  apply(changes: readonly DeviceStatusChange[], now: string): Promise<DeviceStatus[]>;
  /** Every record, by device id. */
  list(): Promise<DeviceStatus[]>;
  get(deviceId: string): Promise<DeviceStatus | null>;
  /** The embedded broker just started: no kiosk can be connected to it yet. Returns how many records changed. */
  markAllOffline(now: string): Promise<number>;
  /** What the hub's signed configuration says about a rollout, to tell which refusals were of it (see RolloutContext). */
  rolloutContext(scope: string, version: number, refused: readonly { deviceId: string; snapshotVersion: number }[]): Promise<RolloutContext>;
}

/**
 * A kiosk reports the *snapshot* version it refused (a snapshot names the scope versions that go together), not
 * the scope version: whether a refusal was of "store/S version 3" is read from the snapshots the hub signed.
 */
export interface RolloutContext {
  /** Whether this hub keeps signed configuration at all (hub/config's tables are there). */
  configKnown: boolean;
  /** When that version of the scope was published (hub clock), if it was. */
  publishedAt: string | null;
  /** `deviceId/snapshotVersion` → the scope versions that snapshot carried, for refused snapshots the hub signed for that kiosk. */
  snapshotScopes: Map<string, Record<string, number>>;
}

export const NO_ROLLOUT_CONTEXT: RolloutContext = { configKnown: false, publishedAt: null, snapshotScopes: new Map() };

/** Two changes of one device in arrival order → one. */
export function mergeChanges(older: DeviceStatusChange, newer: DeviceStatusChange): DeviceStatusChange {
  const seenAt = [older.seenAt, newer.seenAt].filter((t): t is string => t !== undefined).sort().at(-1);
  const state = newer.state ?? older.state;
  const availability = newer.availability ?? older.availability;
  return { deviceId: newer.deviceId, ...(state ? { state } : {}), ...(availability ? { availability } : {}), ...(seenAt ? { seenAt } : {}) };
}
