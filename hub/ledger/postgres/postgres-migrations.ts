/**
 * The PostgreSQL ledger's schema, brought up to date on open by a small versioned runner: `schema_migrations`
 * holds one row per migration applied, and each migration runs in its own database transaction together with its
 * row, so a migration is applied whole or not at all. A session-level advisory lock makes several hub workers
 * opening one fresh database at once take turns: the first migrates, the others find it done.
 *
 * Migrations are append-only: a released one is never edited, a change is a new one at the end of the list.
 */
import type { Logger } from 'pino';
import type pg from 'pg';
import { POSTGRES_SCHEMA_V1 } from './postgres-schema-v1.ts';
import { POSTGRES_SCHEMA_V2_CODES_DRAWS } from './postgres-schema-v2-codes-draws.ts';
import { POSTGRES_SCHEMA_V3_MEMBER_PROFILES } from './postgres-schema-v3-member-profiles.ts';
import { POSTGRES_SCHEMA_V4_MESSAGING } from './postgres-schema-v4-messaging.ts';
import { POSTGRES_SCHEMA_V5_RETENTION } from './postgres-schema-v5-retention.ts';
import { POSTGRES_SCHEMA_V6_MEMBER_IMPORTS } from './postgres-schema-v6-member-imports.ts';
import { POSTGRES_SCHEMA_V7_REPORT_ROLLUP } from './postgres-schema-v7-report-rollup.ts';
import { POSTGRES_SCHEMA_V8_FLEET } from './postgres-schema-v8-fleet.ts';

export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  { version: 1, name: 'ledger core tables', sql: POSTGRES_SCHEMA_V1 },
  { version: 2, name: 'redemption codes and points draws', sql: POSTGRES_SCHEMA_V2_CODES_DRAWS },
  { version: 3, name: 'member profiles, custom fields and contact log', sql: POSTGRES_SCHEMA_V3_MEMBER_PROFILES },
  { version: 4, name: 'outbound messages and the flows member indexes', sql: POSTGRES_SCHEMA_V4_MESSAGING },
  { version: 5, name: 'personal-data retention', sql: POSTGRES_SCHEMA_V5_RETENTION },
  { version: 6, name: 'member imports', sql: POSTGRES_SCHEMA_V6_MEMBER_IMPORTS },
  { version: 7, name: "the reports' indexes and hourly totals", sql: POSTGRES_SCHEMA_V7_REPORT_ROLLUP },
  { version: 8, name: 'the fleet, the signed configuration and the device registry (were DATA/fleet.sqlite)', sql: POSTGRES_SCHEMA_V8_FLEET },
];

/** Any constant both sides agree on: the key of the advisory lock the migrating worker holds. */
const MIGRATION_LOCK_KEY = 7_315_001;

/** Applies the migrations this database lacks, in order; answers the versions applied now. */
export async function migratePostgres(pool: pg.Pool, log: Logger, migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const migration of migrations) {
      await client.query('BEGIN');
      try {
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
        if (done.rowCount === 0) {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
          applied.push(migration.version);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    // Released with the session too, should the unlock itself fail (the connection is then discarded).
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  if (applied.length) log.info({ applied }, 'postgres ledger schema migrated');
  return applied;
}
