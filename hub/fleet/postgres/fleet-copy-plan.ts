/**
 * What `memberkiosk migrate` copies from a hub's DATA/fleet.sqlite into its PostgreSQL database, beside the ledger:
 * the fleet, the signed configuration and the device registry (postgres-schema-v8-fleet.ts). The fleet's four
 * tables are named fleet_* on PostgreSQL (the ledger has a `devices` table of its own); the others keep their names.
 * Planned like the ledger's tables (hub/ledger/migration/sqlite-copy-plan.ts): the columns both sides have, and a
 * refusal for a SQLite column holding values PostgreSQL has no place for; the copy and the digests then treat them
 * as any other table.
 */
import type { Database } from 'better-sqlite3';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { isConvertibleType } from '../../ledger/migration/column-values.ts';
import type { TargetTable } from '../../ledger/migration/postgres-target-tables.ts';
import { quoteSqlite, sqliteRowCount, type LeftBehind, type TableToCopy } from '../../ledger/migration/sqlite-copy-plan.ts';

/** fleet.sqlite's table → its PostgreSQL table. */
export const FLEET_TABLES_ON_POSTGRES: Readonly<Record<string, string>> = {
  regions: 'fleet_regions',
  stores: 'fleet_stores',
  enrolment_codes: 'fleet_enrolment_codes',
  devices: 'fleet_devices',
  config_bundles: 'config_bundles',
  config_snapshots: 'config_snapshots',
  config_counters: 'config_counters',
  config_rules_versions: 'config_rules_versions',
  device_status: 'device_status',
};

/** The PostgreSQL tables that hold the fleet (not the ledger's): planned from fleet.sqlite, never from the ledger file. */
export const FLEET_POSTGRES_TABLES: ReadonlySet<string> = new Set(Object.values(FLEET_TABLES_ON_POSTGRES));

/**
 * The fleet's tables to copy, for those of `target` that are the fleet's; `file`: fleet.sqlite's path, for the
 * report. A fleet.sqlite that lacks a table (an older schema, a hub that never published configuration) copies
 * nothing into it and is compared as empty.
 */
export function planFleetCopy(db: Database, file: string, target: readonly TargetTable[]): { tables: TableToCopy[]; leftBehind: LeftBehind[] } {
  const sqliteTables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const bySqliteName = new Map(Object.entries(FLEET_TABLES_ON_POSTGRES).map(([sqliteName, pgName]) => [pgName, sqliteName] as const));
  const unported: string[] = [];
  const unconvertible: string[] = [];
  const leftBehind: LeftBehind[] = [];
  const tables: TableToCopy[] = [];
  for (const table of target) {
    const sqliteName = bySqliteName.get(table.name);
    if (!sqliteName) continue;
    const serialColumns = table.columns.filter((c) => c.serial).map((c) => c.name);
    const identityAlways = table.columns.some((c) => c.identityAlways);
    if (!sqliteTables.has(sqliteName)) {
      tables.push({ name: table.name, columns: [], keyColumns: [], where: null, inSqlite: false, serialColumns, identityAlways });
      continue;
    }
    const info = db.prepare('SELECT name, pk FROM pragma_table_info(?)').all(sqliteName) as { name: string; pk: number }[];
    const targetColumns = new Set(table.columns.map((c) => c.name));
    for (const column of info.filter((c) => !targetColumns.has(c.name))) {
      const values = sqliteRowCount(db, sqliteName, `${quoteSqlite(column.name)} IS NOT NULL`);
      if (values > 0) unported.push(`column ${sqliteName}.${column.name} (${values} values)`);
      else leftBehind.push({ table: `${sqliteName}.${column.name}`, rows: 0, why: 'a fleet column holding no value; not in the PostgreSQL schema yet' });
    }
    const sqliteColumns = new Set(info.map((c) => c.name));
    const columns = table.columns.filter((c) => sqliteColumns.has(c.name));
    for (const column of columns) if (!isConvertibleType(column.type)) unconvertible.push(`${table.name}.${column.name} (${column.type})`);
    const keys = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    tables.push({ name: table.name, columns, keyColumns: keys.length ? keys : ['rowid'], where: null, inSqlite: true, serialColumns, identityAlways, source: { db, table: sqliteName, file } });
  }
  if (unported.length) {
    throw new CodedError('NOT_IMPLEMENTED_ON_POSTGRES', `the PostgreSQL database has no place yet for what fleet.sqlite holds in:\n  ${unported.join('\n  ')}\nnothing was copied`, { unported });
  }
  if (unconvertible.length) {
    throw new CodedError('MIGRATE_VALUE_UNCONVERTIBLE', `the migration does not convert into these PostgreSQL column types yet: ${unconvertible.join(', ')}; nothing was copied`, { unconvertible });
  }
  return { tables, leftBehind };
}
