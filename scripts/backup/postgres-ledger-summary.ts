/**
 * What a PostgreSQL ledger holds, in a few numbers a backup's manifest records and a restore must find again:
 * the transaction count, the schema version, and a fingerprint of the rows money lives in (every member's
 * account balances, every points lot, the journal, the transactions' slots).
 *
 * Read on the caller's connection, so a backup reads it inside the very snapshot pg_dump dumps (take-postgres-dump.ts).
 *
 * A fingerprint is the row count and the sum of a 60-bit hash (from md5) of each row's key and amount, added up in
 * the database: one aggregate, however many rows (string_agg of every row would hit PostgreSQL's 1 GB value limit
 * on a large chain), and independent of row order. It is meant to catch a restore that lost, doubled or changed
 * rows, not to resist someone forging rows on purpose — the manifest's SHA-256 of the dump file does that part.
 */
import type pg from 'pg';
import { z } from 'zod';

/** Each fingerprinted table and the text of a row that is hashed (its key and what it says about money). */
const FINGERPRINTED = {
  accounts: `member_id || '|' || account || '|' || balance::text`,
  point_lots: `lot_id || '|' || member_id || '|' || remaining::text`,
  journal: `entry_id::text || '|' || tx_id || '|' || member_id || '|' || account || '|' || amount::text || '|' || coalesce(lot_id, '')`,
  transactions: `tx_id || '|' || device_id || '|' || epoch || '|' || seq::text || '|' || status`,
} as const;

const fingerprint = z.object({ rows: z.number().int().nonnegative(), hashSum: z.string().regex(/^\d+$/) });

export const ledgerSummarySchema = z.object({
  transactions: z.number().int().nonnegative(),
  /** The newest migration in schema_migrations (null: none, not a ledger database). */
  schemaVersion: z.number().int().nullable(),
  fingerprints: z.object({ accounts: fingerprint, point_lots: fingerprint, journal: fingerprint, transactions: fingerprint }),
});
export type PostgresLedgerSummary = z.infer<typeof ledgerSummarySchema>;

export async function summarisePostgresLedger(client: pg.ClientBase): Promise<PostgresLedgerSummary> {
  const fingerprints = {} as PostgresLedgerSummary['fingerprints'];
  for (const [table, row] of Object.entries(FINGERPRINTED) as [keyof typeof FINGERPRINTED, string][]) {
    const result = await client.query<{ rows: string; hash_sum: string }>(
      `SELECT count(*)::text AS rows, coalesce(sum(('x' || substr(md5(${row}), 1, 15))::bit(60)::bigint::numeric), 0)::text AS hash_sum FROM ${table}`,
    );
    const first = result.rows[0];
    fingerprints[table] = { rows: Number(first?.rows ?? 0), hashSum: first?.hash_sum ?? '0' };
  }
  const version = await client.query<{ version: string | null }>('SELECT max(version)::text AS version FROM schema_migrations');
  const schemaVersion = version.rows[0]?.version;
  return { transactions: fingerprints.transactions.rows, schemaVersion: schemaVersion == null ? null : Number(schemaVersion), fingerprints };
}

/** The parts of two summaries that differ, in words (empty when equal). */
export function summaryDifferences(expected: PostgresLedgerSummary, found: PostgresLedgerSummary): string[] {
  const differences: string[] = [];
  if (expected.transactions !== found.transactions) differences.push(`transactions: the backup's manifest says ${expected.transactions}, the restored database holds ${found.transactions}`);
  for (const table of Object.keys(FINGERPRINTED) as (keyof typeof FINGERPRINTED)[]) {
    const [e, f] = [expected.fingerprints[table], found.fingerprints[table]];
    if (e.rows !== f.rows || e.hashSum !== f.hashSum) differences.push(`${table}: the manifest says ${e.rows} rows (fingerprint ${e.hashSum}), the restored database ${f.rows} rows (fingerprint ${f.hashSum})`);
  }
  return differences;
}
