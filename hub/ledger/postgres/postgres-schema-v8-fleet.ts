/**
 * Migration 8 of the hub's PostgreSQL database: the stores that lived in DATA/fleet.sqlite (one file per hub process)
 * move beside the ledger, so several hub workers on several machines share one fleet, one signed configuration and
 * one device registry (issue 15, item 1). The tables are SQLite's (hub/fleet/sqlite/migrate-fleet.ts, versions 1–4)
 * with two differences:
 *
 * - The fleet's four tables are named fleet_*: the ledger already has a `devices` table (a kiosk's mode and clock, for
 *   the ledger's own checks) and the fleet's is another thing. `memberkiosk migrate` maps the names
 *   (hub/fleet/postgres/fleet-copy-tables.ts).
 * - config_bundles gets `published_seq`, filled by a sequence on insert: the configuration sync's fingerprint needs
 *   "a bundle was published since I last looked", which SQLite reads from max(rowid). A copy from SQLite gives it
 *   no value: the sequence numbers the copied rows, and is set past them.
 *
 * Ids are COLLATE "C" so listings come back in SQLite's (byte) order; times are ISO-8601 TEXT, as everywhere else.
 */
export const POSTGRES_SCHEMA_V8_FLEET = `
CREATE TABLE fleet_regions (
  region_id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL
);
CREATE TABLE fleet_stores (
  store_id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT NOT NULL,
  region_id TEXT COLLATE "C" NOT NULL REFERENCES fleet_regions(region_id),
  address TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai'
);
CREATE TABLE fleet_enrolment_codes (
  code_sha256 TEXT COLLATE "C" PRIMARY KEY,
  store_id TEXT COLLATE "C" NOT NULL REFERENCES fleet_stores(store_id),
  mode TEXT NOT NULL CHECK (mode IN ('attended', 'unattended')),
  device_id TEXT COLLATE "C",
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  used_by_device TEXT COLLATE "C"
);
CREATE TABLE fleet_devices (
  device_id TEXT COLLATE "C" PRIMARY KEY,
  store_id TEXT COLLATE "C" NOT NULL REFERENCES fleet_stores(store_id),
  mode TEXT NOT NULL CHECK (mode IN ('attended', 'unattended')),
  mqtt_secret_sha256 TEXT NOT NULL,
  public_key TEXT NOT NULL,
  enrolled_at TEXT NOT NULL,
  revoked_at TEXT
);
-- The broker's look-up on every login of a revoked kiosk, and the revocation sync's poll.
CREATE INDEX fleet_devices_revoked ON fleet_devices (device_id) WHERE revoked_at IS NOT NULL;

CREATE TABLE config_bundles (
  scope TEXT COLLATE "C" NOT NULL,
  version BIGINT NOT NULL CHECK (version > 0),
  signed_json TEXT NOT NULL,
  key_id TEXT NOT NULL,
  expires TEXT NOT NULL,
  lifetime_days BIGINT NOT NULL CHECK (lifetime_days > 0),
  published_at TEXT NOT NULL,
  published_by TEXT NOT NULL,
  seeded_from_rules BIGINT,
  published_seq BIGSERIAL NOT NULL,
  PRIMARY KEY (scope, version)
);
CREATE TABLE config_snapshots (
  version BIGINT PRIMARY KEY,
  device_id TEXT COLLATE "C" NOT NULL,
  rules_version BIGINT NOT NULL,
  signed_json TEXT NOT NULL,
  set_json TEXT,
  key_id TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  expires TEXT NOT NULL
);
CREATE INDEX config_snapshots_by_device ON config_snapshots (device_id, version);
-- The hub-wide snapshot counter: reserved with an upsert that holds the row's lock until its transaction ends, so
-- two hub processes never number two snapshots alike (hub/config/postgres-config-store.ts reserveSnapshotVersions).
CREATE TABLE config_counters (name TEXT COLLATE "C" PRIMARY KEY, value BIGINT NOT NULL);
CREATE TABLE config_rules_versions (
  digest TEXT COLLATE "C" PRIMARY KEY,
  rules_version BIGINT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('ledger', 'merged')),
  created_at TEXT NOT NULL
);

CREATE TABLE device_status (
  device_id TEXT COLLATE "C" PRIMARY KEY,
  online SMALLINT CHECK (online IN (0, 1)),
  online_changed_at TEXT,
  last_seen TEXT,
  software TEXT,
  snapshot_version BIGINT,
  rules_version BIGINT,
  scope_versions TEXT NOT NULL DEFAULT '{}',
  config_expires TEXT,
  drivers TEXT,
  outbox_depth BIGINT,
  clock_offset_ms BIGINT,
  last_alert TEXT,
  last_refusal TEXT,
  state_at TEXT,
  updated_at TEXT NOT NULL
);
`;
