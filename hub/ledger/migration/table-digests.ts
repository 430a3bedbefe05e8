/**
 * Each copied table read back from both sides and compared whole: its row count and a digest of its rows. The
 * digest is order-free — the sum, modulo 2^128, of each row's SHA-256 (first 16 bytes) over the row's values as
 * PostgreSQL text — so neither side has to sort (SQLite's and PostgreSQL's orders need not agree), yet a row
 * missing, doubled or changed in any column changes it.
 *
 * The SQLite side is the value the copy sent (column-values.ts); the PostgreSQL side is what the server hands back
 * as text, read through a cursor in REPEATABLE READ (one snapshot, bounded memory).
 */
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type pg from 'pg';
import { toPostgresText } from './column-values.ts';
import { quoteSqlite, type TableToCopy } from './sqlite-copy-plan.ts';

export interface TableDigest {
  rows: number;
  digest: string;
}

const MODULUS = 2n ** 128n;
const FETCH_ROWS = 5_000;

class RowDigest {
  private sum = 0n;
  rows = 0;

  add(values: readonly (string | null)[]): void {
    const hash = createHash('sha256').update(JSON.stringify(values)).digest();
    this.sum = (this.sum + BigInt(`0x${hash.subarray(0, 16).toString('hex')}`)) % MODULUS;
    this.rows++;
  }

  done(): TableDigest {
    return { rows: this.rows, digest: this.sum.toString(16).padStart(32, '0') };
  }
}

export function sqliteTableDigest(db: Database, table: TableToCopy): TableDigest {
  const digest = new RowDigest();
  if (!table.inSqlite || table.columns.length === 0) return digest.done();
  const names = table.columns.map((c) => c.name);
  const from = table.source?.db ?? db;
  const select = from.prepare(`SELECT ${names.map(quoteSqlite).join(', ')} FROM ${quoteSqlite(table.source?.table ?? table.name)}${table.where ? ` WHERE ${table.where}` : ''}`);
  select.safeIntegers(true).raw(true);
  for (const row of select.iterate() as IterableIterator<unknown[]>) {
    digest.add(table.columns.map((column, i) => toPostgresText(row[i], column.type, { table: table.name, column: column.name, row: '?' })));
  }
  return digest.done();
}

/** A pg `types` answering every value as the server's text, untouched: what the digest compares. */
export const TEXT_AS_SENT: pg.CustomTypesConfig = {
  getTypeParser: (() => (text: string) => text) as pg.CustomTypesConfig['getTypeParser'],
};

/** The digests of these tables on PostgreSQL; `client` must have been made with TEXT_AS_SENT. */
export async function postgresTableDigests(client: pg.ClientBase, tables: readonly TableToCopy[]): Promise<Map<string, TableDigest>> {
  const ident = (name: string) => client.escapeIdentifier(name);
  const digests = new Map<string, TableDigest>();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    for (const table of tables) {
      const digest = new RowDigest();
      if (table.columns.length === 0) {
        // Nothing copied into it: it is compared by its row count, which must be 0.
        const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${ident(table.name)}`);
        digests.set(table.name, { rows: Number(counted.rows[0]?.n ?? 0), digest: digest.done().digest });
        continue;
      }
      await client.query(`DECLARE migrate_digest NO SCROLL CURSOR FOR SELECT ${table.columns.map((c) => ident(c.name)).join(', ')} FROM ${ident(table.name)}`);
      for (;;) {
        const batch = await client.query<(string | null)[]>({ text: `FETCH ${FETCH_ROWS} FROM migrate_digest`, rowMode: 'array' });
        for (const row of batch.rows) digest.add(row);
        if (batch.rows.length < FETCH_ROWS) break;
      }
      await client.query('CLOSE migrate_digest');
      digests.set(table.name, digest.done());
    }
    await client.query('COMMIT');
    return digests;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
