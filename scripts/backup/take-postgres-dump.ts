/**
 * The database part of `memberkiosk backup --db postgres://…`: a pg_dump of the hub's whole database (the ledger,
 * and the fleet, configuration and device registry once they live there too — every table of it, whatever later
 * migrations add) in PostgreSQL's custom format, and what the ledger held at that moment.
 *
 * Consistent, and the manifest describes exactly what is in the dump: pg_dump reads the whole database in one
 * REPEATABLE READ transaction, and here that transaction's snapshot is one this process exported
 * (pg_export_snapshot) and keeps open until pg_dump has ended. The transaction count and the fingerprints of the
 * money rows (postgres-ledger-summary.ts) are read in that same snapshot, so a restore that finds other numbers
 * has lost or changed something. Hub workers go on writing meanwhile: their later commits are simply not in it.
 *
 * The journal audit (the ledger's own audit(), which opens a snapshot of its own) runs just before the snapshot
 * is taken: what it reports is the ledger a moment before the dump; a correct ledger's audit is empty in every
 * snapshot, since every batch is one transaction. A restore's audit must equal it (restore-postgres-dump.ts).
 */
import { statSync } from 'node:fs';
import pg from 'pg';
import type { AuditFinding } from '../../hub/ledger/ledger-store.ts';
import { fsyncPath } from './durable-files.ts';
import { summarisePostgresLedger, type PostgresLedgerSummary } from './postgres-ledger-summary.ts';
import { runPostgresTool, toolVersion, type PostgresTarget } from './postgres-tools.ts';

export interface PostgresDump {
  /** pg_dump --version of the program that wrote it. */
  pgDump: string;
  /** The server's version (SHOW server_version). */
  serverVersion: string;
  /** When the snapshot was exported (pg_dump reads from it). */
  snapshotAt: string;
  summary: PostgresLedgerSummary;
  /** The ledger's journal audit just before the snapshot. */
  audit: AuditFinding[];
}

export interface TakePostgresDumpOptions {
  target: PostgresTarget;
  /** The dump file to write (must not exist). */
  file: string;
  /** The ledger's journal audit (the caller opens the ledger, as the hub does). */
  audit: () => Promise<AuditFinding[]>;
  pgBin?: string;
}

export async function takePostgresDump(options: TakePostgresDumpOptions): Promise<PostgresDump> {
  const pgDump = await toolVersion(options.pgBin, 'pg_dump');
  const audit = await options.audit();
  const client = new pg.Client({ connectionString: options.target.url });
  await client.connect();
  try {
    const serverVersion = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]?.id;
    const snapshotAt = new Date().toISOString();
    if (!snapshot) throw new Error('pg_export_snapshot() answered nothing');
    const summary = await summarisePostgresLedger(client);
    // --snapshot: pg_dump's transaction starts from ours, so the dump and the summary above are the same moment.
    // Owners and grants are left to the restore (--no-owner there): a restore runs as whatever role the new
    // database has. The custom format is compressed and lets pg_restore check it whole before applying.
    await runPostgresTool(options.pgBin, 'pg_dump', ['--format=custom', `--snapshot=${snapshot}`, `--file=${options.file}`], options.target.env);
    await client.query('COMMIT');
    fsyncPath(options.file);
    if (statSync(options.file).size === 0) throw new Error(`pg_dump wrote an empty ${options.file}`);
    return { pgDump, serverVersion, snapshotAt, summary, audit };
  } finally {
    await client.end().catch(() => undefined);
  }
}
