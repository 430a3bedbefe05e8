/**
 * Moves a single-node hub's SQLite ledger into a new PostgreSQL database, and proves it did (issue 15;
 * `memberkiosk migrate`, scripts/commands/migrate.ts, which hands this a snapshot copy of the live file):
 *
 * 1. The target must hold no rows at all (checked before anything is written, and again under lock in the copy's
 *    transaction): a database a hub worker already opened, or a second run, is refused, never merged into.
 * 2. The SQLite ledger is opened (which brings an older schema up to date — on the snapshot, never the live file)
 *    and its journal audit must be empty: a ledger that does not add up is not moved.
 * 3. The target gets the PostgreSQL ledger's schema (its versioned migrations), and its tables are read back from
 *    the database (migration/postgres-target-tables.ts): the copy follows whatever has been ported so far.
 * 4. The plan (migration/sqlite-copy-plan.ts) refuses what PostgreSQL has no place for yet that holds data; the copy
 *    (migration/copy-into-postgres.ts) runs in one transaction, parents first, in batches, sequences reset.
 * 5. Checked: every copied table's row count and digest on both sides (migration/table-digests.ts), then the
 *    ledgers' own answers (migration/ledger-checks.ts) — audit, transaction count, members, devices' seqs.
 *
 * With `fleetPath` (a snapshot of the hub's DATA/fleet.sqlite), the fleet, the signed configuration and the device
 * registry are copied too, in the same transaction, and compared the same way (hub/fleet/postgres/fleet-copy-plan.ts):
 * a hub on PostgreSQL keeps them in the database (hub/db/open-hub-stores.ts).
 *
 * The source must not change while this runs: the caller gives a snapshot (or a file no hub has open).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { compareLedgers, type CheckRow } from './migration/ledger-checks.ts';
import { copyIntoPostgres, tablesHoldingRows, targetNotEmpty } from './migration/copy-into-postgres.ts';
import { postgresTargetTables } from './migration/postgres-target-tables.ts';
import { planSqliteCopy, SQLITE_ONLY_ROWS, type LeftBehind } from './migration/sqlite-copy-plan.ts';
import { postgresTableDigests, sqliteTableDigest, TEXT_AS_SENT } from './migration/table-digests.ts';
import { FLEET_POSTGRES_TABLES, planFleetCopy } from '../fleet/postgres/fleet-copy-plan.ts';
import { openLedger } from './open-ledger.ts';
import { migratePostgres } from './postgres/postgres-migrations.ts';

export interface SqliteToPostgresOptions {
  /** A SQLite ledger file nothing writes while this runs (a snapshot copy of the hub's live one). */
  sqlitePath: string;
  /** postgres://user@host:port/database of a new, empty database. */
  postgresUrl: string;
  logger: Logger;
  fallbackBundle: RulesBundle;
  /** Rows per INSERT (tests make it small to cross batch boundaries). */
  batchRows?: number;
  /** The hub's fleet.sqlite (a snapshot copy, as the ledger), copied too; absent: the fleet's tables stay empty. */
  fleetPath?: string;
}

export interface TableComparison {
  table: string;
  sqliteRows: number;
  postgresRows: number;
  /** Row counts and digests equal. */
  equal: boolean;
  note?: string;
}

export interface MigrationReport {
  tables: TableComparison[];
  /** SQLite tables not copied, each with why (empty, or derived). */
  leftBehind: LeftBehind[];
  checks: CheckRow[];
  /** Every table and every check equal. */
  ok: boolean;
}

export async function migrateSqliteToPostgres(options: SqliteToPostgresOptions): Promise<MigrationReport> {
  const log = options.logger.child({ component: 'hub.ledger.migrate' });
  const pool = new pg.Pool({ connectionString: options.postgresUrl, max: 2 });
  pool.on('error', (error) => log.error({ err: error }, 'an idle PostgreSQL connection failed'));
  try {
    await refuseNonEmptyTarget(pool);
    const sqlite = await openLedger({ kind: 'sqlite', path: options.sqlitePath, logger: options.logger, fallbackBundle: options.fallbackBundle });
    try {
      const before = await sqlite.audit();
      if (before.length) {
        throw new CodedError('MIGRATE_SOURCE_AUDIT_FAILED', `the SQLite ledger's journal audit finds ${before.length} differences (memberkiosk audit lists them): nothing was migrated`, { findings: before.length });
      }
      await migratePostgres(pool, log);
      const db = new Database(options.sqlitePath, { readonly: true, fileMustExist: true });
      const fleetDb = options.fleetPath ? new Database(options.fleetPath, { readonly: true, fileMustExist: true }) : null;
      let tables: TableComparison[];
      let leftBehind: LeftBehind[];
      let sequences: { deviceId: string; epoch: string }[];
      try {
        const client = await pool.connect();
        let plan;
        try {
          const target = await postgresTargetTables(client);
          const ledgerPlan = planSqliteCopy(db, fleetDb ? target.filter((t) => !FLEET_POSTGRES_TABLES.has(t.name)) : target);
          const fleetPlan = fleetDb && options.fleetPath ? planFleetCopy(fleetDb, options.fleetPath, target) : { tables: [], leftBehind: [] };
          // Both in the target's dependency order, so a fleet table comes after those it references as a ledger table does.
          const planned = new Map([...ledgerPlan.tables, ...fleetPlan.tables].map((t) => [t.name, t] as const));
          plan = { tables: target.map((t) => planned.get(t.name)).filter((t) => t !== undefined), leftBehind: [...ledgerPlan.leftBehind, ...fleetPlan.leftBehind] };
          const copied = await copyIntoPostgres(client, db, plan.tables, options.batchRows);
          log.info({ tables: copied.length, rows: copied.reduce((n, t) => n + t.rows, 0) }, 'sqlite ledger copied into postgres');
        } finally {
          client.release();
        }
        leftBehind = plan.leftBehind;
        const reader = new pg.Client({ connectionString: options.postgresUrl, types: TEXT_AS_SENT });
        await reader.connect();
        let digests;
        try {
          digests = await postgresTableDigests(reader, plan.tables);
        } finally {
          await reader.end();
        }
        tables = plan.tables.map((table) => {
          const s = sqliteTableDigest(db, table);
          const p = digests.get(table.name) ?? { rows: -1, digest: '' };
          const fleetTable = fleetDb !== null && FLEET_POSTGRES_TABLES.has(table.name);
          const note = table.source
            ? `from fleet.sqlite${table.source.table === table.name ? '' : ` ${table.source.table}`}`
            : !table.inSqlite
              ? fleetTable
                ? 'not in fleet.sqlite'
                : 'not in the SQLite ledger'
              : SQLITE_ONLY_ROWS[table.name]
                ? `without ${SQLITE_ONLY_ROWS[table.name]!.why}`
                : undefined;
          return { table: table.name, sqliteRows: s.rows, postgresRows: p.rows, equal: s.rows === p.rows && s.digest === p.digest, ...(note ? { note } : {}) };
        });
        sequences = (db.prepare('SELECT device_id, epoch FROM device_sequences ORDER BY device_id, epoch').all() as { device_id: string; epoch: string }[]).map((r) => ({ deviceId: r.device_id, epoch: r.epoch }));
      } finally {
        db.close();
        fleetDb?.close();
      }
      const postgres = await openLedger({ kind: 'postgres', url: options.postgresUrl, logger: options.logger, fallbackBundle: options.fallbackBundle, poolSize: 4 });
      let checks: CheckRow[];
      try {
        checks = await compareLedgers(sqlite, postgres, sequences);
      } finally {
        await postgres.close();
      }
      return { tables, leftBehind, checks, ok: tables.every((t) => t.equal) && checks.every((c) => c.equal) };
    } finally {
      await sqlite.close();
    }
  } finally {
    await pool.end();
  }
}

/** Refuses a target with a row in any table of its schema (before this migration has written anything). */
async function refuseNonEmptyTarget(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    const holding = await tablesHoldingRows(client, (await postgresTargetTables(client)).map((t) => t.name));
    if (holding.length) throw targetNotEmpty(holding);
  } finally {
    client.release();
  }
}
