/**
 * The copy itself: every planned table, parents first, from the SQLite ledger into the PostgreSQL one, in ONE
 * PostgreSQL transaction — a target holds the whole ledger or nothing, so a copy that fails half-way leaves an
 * empty database to try again, never a partial ledger a hub could be started on.
 *
 * - The target's tables are locked (ACCESS EXCLUSIVE) and checked empty again inside the transaction: a hub worker
 *   opening the database meanwhile (which writes keys and a rules bundle) waits, or is found, instead of mixing in.
 * - The target's own triggers are off for the copy (DISABLE TRIGGER USER, inside the transaction, so no other
 *   session ever sees them off): the rows are copied as they are, and a rollup PostgreSQL keeps by trigger is not
 *   counted a second time on top of the copied one. Foreign keys are system triggers and stay checked.
 * - Rows go in batches as one INSERT … SELECT FROM unnest($1::type[], …) per batch: one parameter per column
 *   whatever the batch size, values sent as text in arrays of the column's type (column-values.ts).
 * - Sequences (BIGSERIAL, identity) are set past the highest copied value, so the next journal entry, alert or
 *   audit row numbers on from the migrated ones.
 */
import type { Database } from 'better-sqlite3';
import type pg from 'pg';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { toPostgresText } from './column-values.ts';
import { quoteSqlite, type TableToCopy } from './sqlite-copy-plan.ts';

export interface CopiedTable {
  table: string;
  rows: number;
}

const DEFAULT_BATCH_ROWS = 2_000;

export async function copyIntoPostgres(client: pg.ClientBase, db: Database, tables: readonly TableToCopy[], batchRows = DEFAULT_BATCH_ROWS): Promise<CopiedTable[]> {
  const ident = (name: string) => client.escapeIdentifier(name);
  const copied: CopiedTable[] = [];
  await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
  try {
    if (tables.length) await client.query(`LOCK TABLE ${tables.map((t) => ident(t.name)).join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const holding = await tablesHoldingRows(client, tables.map((t) => t.name));
    if (holding.length) throw targetNotEmpty(holding);
    for (const table of tables) await client.query(`ALTER TABLE ${ident(table.name)} DISABLE TRIGGER USER`);
    for (const table of tables) copied.push({ table: table.name, rows: table.inSqlite && table.columns.length ? await copyTable(client, db, table, batchRows) : 0 });
    for (const table of tables) {
      for (const column of table.serialColumns) {
        // setval(…, max + 1, false): the next value handed out is max + 1 (1 on an empty table).
        await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${ident(column)}), 0) + 1, false) FROM ${ident(table.name)}`, [ident(table.name), column]);
      }
    }
    for (const table of tables) await client.query(`ALTER TABLE ${ident(table.name)} ENABLE TRIGGER USER`);
    await client.query('COMMIT');
    return copied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function copyTable(client: pg.ClientBase, db: Database, table: TableToCopy, batchRows: number): Promise<number> {
  const ident = (name: string) => client.escapeIdentifier(name);
  const names = table.columns.map((c) => c.name);
  const from = table.source?.db ?? db;
  const select = from.prepare(`SELECT ${names.map(quoteSqlite).join(', ')} FROM ${quoteSqlite(table.source?.table ?? table.name)}${table.where ? ` WHERE ${table.where}` : ''}`);
  select.safeIntegers(true).raw(true);
  const insert = `INSERT INTO ${ident(table.name)} (${names.map(ident).join(', ')})${table.identityAlways ? ' OVERRIDING SYSTEM VALUE' : ''}
    SELECT * FROM unnest(${table.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`;
  const keyIndexes = table.keyColumns.map((k) => names.indexOf(k));
  let arrays: (string | null)[][] = names.map(() => []);
  let inBatch = 0;
  let rows = 0;
  const flush = async () => {
    if (inBatch === 0) return;
    await client.query(insert, arrays);
    rows += inBatch;
    arrays = names.map(() => []);
    inBatch = 0;
  };
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    const key = keyIndexes.map((i) => (i >= 0 ? String(row[i]) : '?')).join('/');
    table.columns.forEach((column, i) => arrays[i]!.push(toPostgresText(row[i], column.type, { table: table.name, column: column.name, row: key })));
    if (++inBatch >= batchRows) await flush();
  }
  await flush();
  return rows;
}

/** Which of these tables hold at least one row (each asked with EXISTS: no table is counted in full). */
export async function tablesHoldingRows(client: pg.ClientBase, tables: readonly string[]): Promise<string[]> {
  if (tables.length === 0) return [];
  const probes = tables.map((t, i) => `SELECT $${i + 1}::text AS name WHERE EXISTS (SELECT 1 FROM ${client.escapeIdentifier(t)})`).join(' UNION ALL ');
  return (await client.query<{ name: string }>(probes, [...tables])).rows.map((r) => r.name).sort();
}

export function targetNotEmpty(tables: readonly string[]): CodedError {
  return new CodedError('MIGRATE_TARGET_NOT_EMPTY', `the PostgreSQL database already holds rows in ${tables.join(', ')}: migrate into a new, empty database (nothing was written)`, { tables });
}
