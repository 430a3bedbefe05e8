/**
 * What the sqlite → postgres copy takes from the SQLite ledger, decided before anything is written: for each table
 * the PostgreSQL ledger has, the columns both sides have; and for what PostgreSQL has no place for yet, a refusal
 * — a table the PostgreSQL schema lacks that holds rows, or a column it lacks that holds values, makes the
 * migration refuse with NOT_IMPLEMENTED_ON_POSTGRES and the list, never drop them in silence. Empty ones are only
 * reported.
 *
 * Two deliberate exceptions, each named here and printed in the report:
 * - Derived tables: a cache SQLite's own triggers keep from the ledger's rows and can rebuild from them. Left
 *   behind while PostgreSQL has no such table; copied like any other once it has (the copy runs with the target's
 *   triggers off, so a rollup PostgreSQL keeps by trigger is not counted twice). The PostgreSQL migration that ports
 *   one must fill it from the copied rows, as SQLite's migration 8 did (REPORT_ROLLUP_BACKFILL_SQL).
 * - Rows that are SQLite's own bookkeeping (schema_meta's schema_version: PostgreSQL's is schema_migrations).
 */
import type { Database } from 'better-sqlite3';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { isConvertibleType } from './column-values.ts';
import type { TargetColumn, TargetTable } from './postgres-target-tables.ts';

/** None at present: report_hourly, the one there was, is kept by PostgreSQL too (postgres-schema-v7-report-rollup.ts) and copied. */
export const SQLITE_DERIVED_TABLES: Readonly<Record<string, string>> = {};

/** Per table, a condition the SQLite rows copied must meet: what it leaves out is SQLite's, not the ledger's. */
export const SQLITE_ONLY_ROWS: Readonly<Record<string, { where: string; why: string }>> = {
  schema_meta: { where: "key <> 'schema_version'", why: "SQLite's schema version (PostgreSQL keeps its own in schema_migrations)" },
};

export interface TableToCopy {
  /** The PostgreSQL table. */
  name: string;
  /**
   * Where its rows come from when not the ledger file under the same name: the fleet's tables are copied from
   * DATA/fleet.sqlite, some under another name (hub/fleet/postgres/fleet-copy-plan.ts).
   */
  source?: { db: Database; table: string; file: string };
  /** The PostgreSQL columns the SQLite table has too, in PostgreSQL's order; the others take their defaults. */
  columns: TargetColumn[];
  /** The SQLite columns that name a row in a refusal's message (its primary key, else its rowid). */
  keyColumns: string[];
  /** SQL condition on the SQLite rows (SQLITE_ONLY_ROWS), or null: every row. */
  where: string | null;
  /** The SQLite table exists (a table only PostgreSQL has is compared as empty). */
  inSqlite: boolean;
  /** SERIAL/identity columns, whose sequences are set past the copied rows. */
  serialColumns: string[];
  identityAlways: boolean;
}

export interface LeftBehind {
  /** A table, or table.column. */
  table: string;
  rows: number;
  why: string;
}

export interface CopyPlan {
  tables: TableToCopy[];
  leftBehind: LeftBehind[];
}

export const quoteSqlite = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export function sqliteRowCount(db: Database, table: string, where: string | null = null): number {
  const row = db.prepare(`SELECT count(*) AS n FROM ${quoteSqlite(table)}${where ? ` WHERE ${where}` : ''}`).get() as { n: number };
  return row.n;
}

/** The plan, or a CodedError saying everything that stands in its way at once. */
export function planSqliteCopy(db: Database, target: readonly TargetTable[]): CopyPlan {
  const sqliteTables = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as { name: string }[]).map((r) => r.name),
  );
  const targetNames = new Set(target.map((t) => t.name));
  const unported: string[] = [];
  const unconvertible: string[] = [];
  const leftBehind: LeftBehind[] = [];

  for (const name of [...sqliteTables].filter((t) => !targetNames.has(t)).sort()) {
    const rows = sqliteRowCount(db, name);
    const derived = SQLITE_DERIVED_TABLES[name];
    if (derived) leftBehind.push({ table: name, rows, why: `derived: ${derived}` });
    else if (rows > 0) unported.push(`table ${name} (${rows} rows)`);
    else leftBehind.push({ table: name, rows: 0, why: 'empty; not in the PostgreSQL schema yet' });
  }

  const tables: TableToCopy[] = [];
  for (const table of target) {
    const serialColumns = table.columns.filter((c) => c.serial).map((c) => c.name);
    const identityAlways = table.columns.some((c) => c.identityAlways);
    if (!sqliteTables.has(table.name)) {
      tables.push({ name: table.name, columns: [], keyColumns: [], where: null, inSqlite: false, serialColumns, identityAlways });
      continue;
    }
    const info = db.prepare(`SELECT name, pk FROM pragma_table_info(?)`).all(table.name) as { name: string; pk: number }[];
    const targetColumns = new Set(table.columns.map((c) => c.name));
    for (const column of info.filter((c) => !targetColumns.has(c.name))) {
      const values = sqliteRowCount(db, table.name, `${quoteSqlite(column.name)} IS NOT NULL`);
      if (values > 0) unported.push(`column ${table.name}.${column.name} (${values} values)`);
      else leftBehind.push({ table: `${table.name}.${column.name}`, rows: 0, why: 'a column holding no value; not in the PostgreSQL schema yet' });
    }
    const sqliteColumns = new Set(info.map((c) => c.name));
    const columns = table.columns.filter((c) => sqliteColumns.has(c.name));
    for (const column of columns) if (!isConvertibleType(column.type)) unconvertible.push(`${table.name}.${column.name} (${column.type})`);
    const keys = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    tables.push({ name: table.name, columns, keyColumns: keys.length ? keys : ['rowid'], where: SQLITE_ONLY_ROWS[table.name]?.where ?? null, inSqlite: true, serialColumns, identityAlways });
  }

  if (unported.length) {
    throw new CodedError(
      'NOT_IMPLEMENTED_ON_POSTGRES',
      `the PostgreSQL ledger has no place yet for what the SQLite ledger holds in:\n  ${unported.join('\n  ')}\nnothing was copied: keep this hub on SQLite until those parts are ported`,
      { unported },
    );
  }
  if (unconvertible.length) {
    throw new CodedError('MIGRATE_VALUE_UNCONVERTIBLE', `the migration does not convert into these PostgreSQL column types yet: ${unconvertible.join(', ')}; nothing was copied`, { unconvertible });
  }
  return { tables, leftBehind };
}
