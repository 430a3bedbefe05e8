/**
 * The signed configuration's rows as both back ends store them (hub/fleet/sqlite/migrate-fleet.ts and
 * hub/ledger/postgres/postgres-schema-v8-fleet.ts use the same columns), and what the store hands out.
 */
import type { SignedConfig, SignedSnapshot } from '../../core/config/config-documents.ts';
import type { BundleRow, SnapshotRow } from './config-store.ts';

export interface BundleDb {
  scope: string;
  version: number;
  signed_json: string;
  key_id: string;
  expires: string;
  lifetime_days: number;
  published_at: string;
  published_by: string;
  seeded_from_rules: number | null;
}

export interface SnapshotDb {
  version: number;
  device_id: string;
  rules_version: number;
  signed_json: string;
  set_json: string | null;
  key_id: string;
  issued_at: string;
  expires: string;
}

export const toBundle = (r: BundleDb): BundleRow => ({
  scope: r.scope,
  version: r.version,
  signed: JSON.parse(r.signed_json) as SignedConfig,
  keyId: r.key_id,
  expires: r.expires,
  lifetimeDays: r.lifetime_days,
  publishedAt: r.published_at,
  publishedBy: r.published_by,
  seededFromRules: r.seeded_from_rules,
});

export const toSnapshot = (r: SnapshotDb): SnapshotRow => ({
  version: r.version,
  deviceId: r.device_id,
  rulesVersion: r.rules_version,
  signed: JSON.parse(r.signed_json) as SignedSnapshot,
  keyId: r.key_id,
  issuedAt: r.issued_at,
  expires: r.expires,
});
