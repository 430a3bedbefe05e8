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
