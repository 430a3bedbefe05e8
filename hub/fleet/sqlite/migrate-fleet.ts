/**
 * Brings fleet.sqlite to FLEET_SCHEMA_VERSION when it opens (PRAGMA user_version), each migration in its own
 * database transaction. A file written by a newer hub is refused rather than guessed at.
 */
import type { Database } from 'better-sqlite3';
import { CodedError } from '../../../core/errors/coded-error.ts';

interface Migration {
  to: number;
  why: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    to: 1,
    why: 'regions, stores, enrolment codes (hashed) and enrolled devices (hashed MQTT secret, public key, revocation)',
    sql: `
      CREATE TABLE regions (region_id TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE stores (
        store_id TEXT PRIMARY KEY, name TEXT NOT NULL, region_id TEXT NOT NULL REFERENCES regions(region_id)
      ) WITHOUT ROWID;
      CREATE TABLE enrolment_codes (
        code_sha256 TEXT PRIMARY KEY,
        store_id TEXT NOT NULL REFERENCES stores(store_id),
        mode TEXT NOT NULL CHECK (mode IN ('attended', 'unattended')),
        device_id TEXT,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        used_at TEXT, used_by_device TEXT
      ) WITHOUT ROWID;
      CREATE TABLE devices (
        device_id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL REFERENCES stores(store_id),
        mode TEXT NOT NULL CHECK (mode IN ('attended', 'unattended')),
        mqtt_secret_sha256 TEXT NOT NULL,
        public_key TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        revoked_at TEXT
      ) WITHOUT ROWID;
    `,
  },
  {
    to: 2,
    why: 'signed configuration (hub/config): published scope bundles, per-kiosk snapshots, their counter, merged rules versions',
    sql: `
      -- One row per published version of a scope; signed_json is the document as it travels, re-signed in place
      -- (same version, same content) when the signing key rotates or its expiry is renewed.
      CREATE TABLE config_bundles (
        scope TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version > 0),
        signed_json TEXT NOT NULL,
        key_id TEXT NOT NULL,
        expires TEXT NOT NULL,
        lifetime_days INTEGER NOT NULL CHECK (lifetime_days > 0),
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,
        -- Set on a global bundle the hub made from its rules store while HQ had published none: that rules version.
        seeded_from_rules INTEGER,
        PRIMARY KEY (scope, version)
      );
      -- Every snapshot the hub signed (transactions name their version); set_json: the kiosk's complete
      -- configuration set, kept for its current snapshot only.
      CREATE TABLE config_snapshots (
        version INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        rules_version INTEGER NOT NULL,
        signed_json TEXT NOT NULL,
        set_json TEXT,
        key_id TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires TEXT NOT NULL
      );
      CREATE INDEX config_snapshots_by_device ON config_snapshots (device_id, version);
      CREATE TABLE config_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      -- Merged rules are content-addressed: kiosks whose scopes merge to the same rules share one rules version
      -- (saved in the ledger's rules store, which recomputes their transactions with it).
      CREATE TABLE config_rules_versions (
        digest TEXT PRIMARY KEY,
        rules_version INTEGER NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('ledger', 'merged')),
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    to: 3,
    why: 'the device registry (hub/registry): what each kiosk last reported on its retained state and availability',
    sql: `
      -- One row per device id that ever reported (a kiosk known only to an external broker's password file too,
      -- hence no reference to devices). JSON columns hold what the kiosk said, read defensively.
      CREATE TABLE device_status (
        device_id TEXT PRIMARY KEY,
        online INTEGER CHECK (online IN (0, 1)),
        online_changed_at TEXT,
        last_seen TEXT,
        software TEXT,
        snapshot_version INTEGER,
        rules_version INTEGER,
        scope_versions TEXT NOT NULL DEFAULT '{}',
        config_expires TEXT,
        drivers TEXT,
        outbox_depth INTEGER,
        clock_offset_ms INTEGER,
        last_alert TEXT,
        last_refusal TEXT,
        state_at TEXT,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    to: 4,
    why: 'store profiles: address, phone and time zone, printed on receipts and handed to kiosks (device.profile)',
    sql: `
      ALTER TABLE stores ADD COLUMN address TEXT NOT NULL DEFAULT '';
      ALTER TABLE stores ADD COLUMN phone TEXT NOT NULL DEFAULT '';
      -- Every store before profiles is taken to be in China (core/fleet/store-profile.ts DEFAULT_STORE_TIMEZONE).
      ALTER TABLE stores ADD COLUMN timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai';
    `,
  },
];

export const FLEET_SCHEMA_VERSION = MIGRATIONS.at(-1)?.to ?? 0;

/** The migrations it ran, for the log. */
export function migrateFleet(db: Database): Migration[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > FLEET_SCHEMA_VERSION) {
    throw new CodedError('FLEET_SCHEMA_TOO_NEW', `fleet.sqlite is at schema version ${current}; this hub knows up to ${FLEET_SCHEMA_VERSION}`);
  }
  const run: Migration[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.to <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.to}`);
    }).immediate();
    run.push(migration);
  }
  return run;
}
