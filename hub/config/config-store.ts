/**
 * The signed configuration's store: published scope bundles, every snapshot the hub signed, the hub-wide snapshot
 * counter and the content-addressed merged rules versions. An async port with two back ends: DATA/fleet.sqlite
 * (sqlite-config-store.ts, a single hub) and the hub's PostgreSQL database (postgres-config-store.ts, several hub
 * workers); both pass config-store-contract.ts. The CLI and the API write bundles; only the hub writes snapshots
 * and rules versions (it holds the ledger).
 */
import type { ConfigSet, SignedConfig, SignedSnapshot } from '../../core/config/config-documents.ts';

export interface BundleRow {
  scope: string;
  version: number;
  signed: SignedConfig;
  keyId: string;
  expires: string;
  lifetimeDays: number;
  publishedAt: string;
  publishedBy: string;
  /** The rules version a hub-made global bundle was seeded from; null: HQ published it. */
  seededFromRules: number | null;
}

export interface SnapshotRow {
  version: number;
  deviceId: string;
  rulesVersion: number;
  signed: SignedSnapshot;
  keyId: string;
  issuedAt: string;
  expires: string;
}

export interface ConfigStore {
  open(): Promise<void>;
  close(): Promise<void>;

  /** The newest version of every scope, by scope. */
  latestBundles(): Promise<BundleRow[]>;
  latestBundle(scope: string): Promise<BundleRow | null>;
  /** Every version of a scope, newest first. */
  bundleHistory(scope: string, limit?: number): Promise<BundleRow[]>;
  /** Stores a new version; refused (CONFIG_VERSION_STALE) unless it is above the newest of its scope. */
  insertBundle(row: BundleRow): Promise<void>;
  /** The same version, signed again (a rotated key, a renewed expiry). */
  resignBundle(scope: string, version: number, signed: SignedConfig, keyId: string): Promise<void>;
  /** Whether HQ ever published a global bundle (one not seeded by the hub from its rules store). */
  hqPublishedGlobal(): Promise<boolean>;

  /**
   * Numbers `count` new snapshots: answers the first; they are first … first + count − 1. A version, once handed
   * out, is never handed out again — not to another hub process at the same moment either.
   */
  reserveSnapshotVersions(count: number): Promise<number>;
  /** Records kiosks' new snapshots with their complete sets, in one transaction; older snapshots keep their signed document only. */
  saveSnapshots(snapshots: readonly { row: SnapshotRow; set: ConfigSet }[]): Promise<void>;
  /**
   * The rules version of this kiosk's snapshot `version` (null: the hub signed no such snapshot for this kiosk),
   * or of its newest snapshot when `version` is 'newest'. The ledger recomputes a transaction with it, while it
   * plans a batch: hence synchronous (the PostgreSQL store answers from what it keeps in memory).
   */
  snapshotRulesVersion(deviceId: string, version: number | 'newest'): number | null;
  /** A revoked kiosk has no current set any more (its signed snapshots stay, for the transactions that name them). */
  retireSnapshots(deviceId: string): Promise<void>;
  /** Every kiosk's current snapshot and set, by device id. */
  currentSnapshots(): Promise<{ row: SnapshotRow; set: ConfigSet }[]>;
  snapshot(version: number): Promise<SnapshotRow | null>;
  snapshotCount(): Promise<number>;

  rulesVersionByDigest(digest: string): Promise<{ rulesVersion: number; origin: 'ledger' | 'merged' } | null>;
  recordRulesVersion(digest: string, rulesVersion: number, origin: 'ledger' | 'merged', at: string): Promise<void>;
  maxRulesVersion(): Promise<number>;

  /**
   * What the sync loop compares every poll: changes nothing when nothing that decides a kiosk's configuration
   * changed (bundles published, kiosks enrolled or revoked, stores and their regions).
   */
  fingerprint(): Promise<string>;
}
