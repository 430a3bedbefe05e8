/**
 * `memberkiosk restore --db postgres://…`: a backup of a hub on PostgreSQL (take-backup.ts with `postgres`) back
 * into a database and a data directory, checked on the way.
 *
 * 1. The backup is verified before anything is touched (restore-backup.ts): manifest, every file's size and SHA-256
 *    — the dump's too, so a dump changed after the backup is refused here, before pg_restore reads a byte of it.
 * 2. Both targets are checked before either is written. The database must be new (it is created) or hold no table
 *    in any schema of its own; with `force` one that does is renamed aside — kept, not dropped — to
 *    `<name>_before_restore_<UTC time>` and a new one made under its name with the same owner, encoding and locale,
 *    refused while any other session is connected to it (a hub worker would go on writing into the renamed one).
 *    The data directory as for a SQLite hub (empty, or moved aside with `force`).
 * 3. The data directory's files are copied in and checked; then pg_restore loads the dump in ONE transaction
 *    (--single-transaction --exit-on-error: a dump that fails half-way leaves the database as empty as it was),
 *    without the dump's owners and grants (--no-owner --no-privileges: the restoring role owns what it restores).
 * 4. What the restored database holds is summarised (postgres-ledger-summary.ts) and compared with the manifest —
 *    same transaction count, same fingerprints of the money rows. The caller then opens the ledger and runs the
 *    journal audit (scripts/commands/restore.ts).
 *
 * Creating and renaming databases is done from the server's maintenance database `postgres`, as createdb does.
 */
import { join } from 'node:path';
import pg from 'pg';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { BackupManifest } from './backup-manifest.ts';
import { summarisePostgresLedger, summaryDifferences, type PostgresLedgerSummary } from './postgres-ledger-summary.ts';
import { otherDatabaseUrl, runPostgresTool, type PostgresTarget } from './postgres-tools.ts';
import { checkDataTarget, checkRestoredFiles, restoreFiles, verifyBackup } from './restore-backup.ts';

export interface RestorePostgresOptions {
  from: string;
  dataDir: string;
  target: PostgresTarget;
  /** Rename a database that holds tables aside, and move a non-empty data directory's contents aside. */
  force: boolean;
  pgBin?: string;
  now?: () => Date;
}

export interface RestoredPostgresBackup {
  manifest: BackupManifest & { postgres: NonNullable<BackupManifest['postgres']> };
  dataDir: string;
  /** Where the data directory's earlier contents went (force), or null. */
  movedAsideTo: string | null;
  /** What happened to the database first: made new, used as it was (empty), or the old one renamed to this name. */
  database: { created: true } | { created: false; renamedAsideTo: string | null };
  /** The restored database, read right after pg_restore. */
  summary: PostgresLedgerSummary;
  /** How it differs from the manifest (empty: equal). */
  differences: string[];
}

/** PostgreSQL's SQLSTATE for "database does not exist". */
const NO_SUCH_DATABASE = '3D000';
const MAINTENANCE_DATABASE = 'postgres';

export async function restorePostgresBackup(options: RestorePostgresOptions): Promise<RestoredPostgresBackup> {
  const { from, manifest } = await verifyBackup(options.from);
  const { postgres } = manifest;
  if (!postgres) throw new CodedError('BACKUP_KIND_MISMATCH', `${from} is a backup of a hub on SQLite: restore it without --db (memberkiosk migrate moves a SQLite ledger to PostgreSQL)`);
  const dataTarget = checkDataTarget(options.dataDir, options.force);
  const state = await databaseState(options.target);
  if (state.exists && state.tables.length > 0) {
    if (!options.force) {
      throw new CodedError('RESTORE_DATABASE_NOT_EMPTY', `the database ${options.target.shown} holds ${state.tables.length} tables or sequences (${state.tables.slice(0, 5).join(', ')}${state.tables.length > 5 ? ', …' : ''}): give a new or empty one, or --force to rename it aside first`);
    }
    if (state.otherSessions > 0) throw inUse(options.target, state.otherSessions);
  }

  const at = (options.now ?? (() => new Date()))();
  const movedAsideTo = restoreFiles(from, manifest, dataTarget, at);
  await checkRestoredFiles(manifest, dataTarget.dataDir);

  let database: RestoredPostgresBackup['database'];
  if (!state.exists) {
    await withMaintenance(options.target, (client) => client.query(`CREATE DATABASE ${quoteIdent(options.target.database)}`));
    database = { created: true };
  } else if (state.tables.length > 0) {
    database = { created: false, renamedAsideTo: await renameAsideAndRecreate(options.target, at) };
  } else {
    database = { created: false, renamedAsideTo: null };
  }

  await runPostgresTool(options.pgBin, 'pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${options.target.database}`, join(from, postgres.dump)], options.target.env);

  const client = new pg.Client({ connectionString: options.target.url });
  await client.connect();
  let summary: PostgresLedgerSummary;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    summary = await summarisePostgresLedger(client);
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => undefined);
  }
  return { manifest: { ...manifest, postgres }, dataDir: dataTarget.dataDir, movedAsideTo, database, summary, differences: summaryDifferences(postgres.summary, summary) };
}

interface DatabaseState {
  exists: boolean;
  /** Its tables, views and sequences in schemas of its own (schema.name). */
  tables: string[];
  /** Sessions connected to it besides this check's. */
  otherSessions: number;
}

async function databaseState(target: PostgresTarget): Promise<DatabaseState> {
  const client = new pg.Client({ connectionString: target.url });
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: unknown }).code === NO_SUCH_DATABASE) return { exists: false, tables: [], otherSessions: 0 };
    throw error;
  }
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp_%'
       ORDER BY 1`,
    );
    const sessions = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return { exists: true, tables: tables.rows.map((r) => r.name), otherSessions: Number(sessions.rows[0]?.n ?? 0) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Renames the target database aside and makes a new one under its name, alike; answers the old one's new name. */
async function renameAsideAndRecreate(target: PostgresTarget, at: Date): Promise<string> {
  // PostgreSQL names are at most 63 bytes: the stamp is kept whole, the name shortened if it must be.
  const stamp = `_before_restore_${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'z').toLowerCase()}`;
  const aside = `${Buffer.from(target.database).subarray(0, 63 - stamp.length).toString('utf8').replace(/\uFFFD+$/, '')}${stamp}`;
  await withMaintenance(target, async (client) => {
    const old = await client.query<{ owner: string; encoding: string; collate: string; ctype: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner, pg_encoding_to_char(encoding) AS encoding, datcollate AS collate, datctype AS ctype FROM pg_database WHERE datname = $1',
      [target.database],
    );
    const like = old.rows[0];
    if (!like) throw new CodedError('RESTORE_DATABASE_NOT_EMPTY', `the database ${target.shown} went away while the restore began`);
    try {
      // Refused by PostgreSQL itself while any session is connected to it, whatever connected since the check.
      await client.query(`ALTER DATABASE ${quoteIdent(target.database)} RENAME TO ${quoteIdent(aside)}`);
    } catch (error) {
      if ((error as { code?: unknown }).code === '55006') throw inUse(target, 1);
      throw error;
    }
    await client.query(
      `CREATE DATABASE ${quoteIdent(target.database)} WITH OWNER ${quoteIdent(like.owner)} TEMPLATE template0 ENCODING ${quoteLiteral(like.encoding)} LC_COLLATE ${quoteLiteral(like.collate)} LC_CTYPE ${quoteLiteral(like.ctype)}`,
    );
  });
  return aside;
}

async function withMaintenance<T>(target: PostgresTarget, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: otherDatabaseUrl(target.url, MAINTENANCE_DATABASE) });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function inUse(target: PostgresTarget, sessions: number): CodedError {
  return new CodedError('RESTORE_DATABASE_IN_USE', `${sessions} other session(s) are connected to ${target.shown} (hub workers?): stop them before restoring over it`);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;
