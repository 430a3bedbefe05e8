/**
 * `memberkiosk backup --data DIR --out PATH [--db postgres://…]`: a consistent copy of a hub's data directory while
 * the hub runs (scripts/backup/take-backup.ts): the SQLite databases through SQLite's online backup, the other files
 * (TLS, keys, node-red/) as they are, and a manifest with sizes and SHA-256s. With --db, the hub's PostgreSQL
 * database as well, dumped by pg_dump in one snapshot (scripts/backup/take-postgres-dump.ts).
 */
import { isCodedError } from '../../core/errors/coded-error.ts';
import type { Ledger } from '../../hub/ledger/ledger.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';
import { openPostgresLedger } from './open-postgres-ledger.ts';

const USAGE = `usage: memberkiosk backup --out PATH [--data DIR] [--db postgres://USER@HOST:PORT/DATABASE [--pg-bin DIR]]
  copies a hub's data directory while the hub runs: ledger.sqlite and fleet.sqlite (and any other SQLite database
  there) through SQLite's online backup, each one consistent snapshot; the other files (tls/, keys, node-red/)
  as they are; then manifest.json with every file's size and SHA-256. Run it as the hub's user.
  --data    the hub's data directory; default ./data/hub
  --out     a path that does not exist yet (the backup folder is made there), or an existing folder (a new
            memberkiosk-backup-<UTC time> folder is made in it); never inside --data (--to is the same)
  --db      the hub runs on this PostgreSQL database (memberkiosk hub --db): it is dumped whole with pg_dump (custom
            format, one snapshot; the manifest records its transaction count, fingerprints of the money rows and
            the journal audit); no ledger.sqlite is needed in --data. The password from PGPASSWORD or ~/.pgpass
  --pg-bin  the folder of pg_dump (e.g. /usr/lib/postgresql/15/bin); default: found on PATH
exit codes: 0 written (its folder printed), 1 a copy failed its check or PostgreSQL failed (nothing kept), 2 bad
            options, no ledger in --data or --out unusable, 3 written, but the journal audit finds differences
            (printed; the backup holds them as they are)
`;

/** Refusals that are the operator's to fix (exit 2), as opposed to a copy that failed (exit 1). */
const REFUSALS = new Set(['BACKUP_SOURCE_MISSING', 'BACKUP_OUT_INVALID']);

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('backup', USAGE, {
    args,
    options: { data: { type: 'string', default: './data/hub' }, out: { type: 'string' }, to: { type: 'string' }, db: { type: 'string' }, 'pg-bin': { type: 'string' } },
  });
  if (!flags.ok) return flags.exitCode;
  const { data, db, 'pg-bin': pgBin } = flags.parsed.values;
  if (flags.parsed.values.out && flags.parsed.values.to) return usageError('backup', USAGE, '--out and --to are the same: give one');
  const out = flags.parsed.values.out ?? flags.parsed.values.to;
  if (!out) return usageError('backup', USAGE, '--out is required');
  if (pgBin && !db) return usageError('backup', USAGE, '--pg-bin goes with --db');
  let target;
  if (db) {
    const { postgresTarget } = await import('../backup/postgres-tools.ts');
    target = postgresTarget(db);
    if (typeof target === 'string') return usageError('backup', USAGE, `--db: ${target}`);
  }
  // Loaded only now, so --help and bad flags are answered without loading SQLite.
  const { takeBackup } = await import('../backup/take-backup.ts');
  let ledger: Ledger | null = null;
  try {
    if (target) ledger = await openPostgresLedger(target.url);
    const opened = ledger;
    const postgres = target && opened ? { target, audit: () => opened.audit(), ...(pgBin ? { pgBin } : {}) } : undefined;
    const { dir, manifest } = await takeBackup({ dataDir: data, out, ...(postgres ? { postgres } : {}) });
    const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    const databases = manifest.files.filter((f) => f.kind === 'sqlite');
    const lines = [`backup written: ${dir}`, `  ${manifest.files.length} files, ${bytes} bytes; databases: ${databases.map((d) => `${d.path} (${d.bytes} bytes)`).join(', ') || 'none in the data directory'}`];
    const pgSection = manifest.postgres;
    if (pgSection) {
      const dump = manifest.files.find((f) => f.path === pgSection.dump);
      lines.push(
        `  PostgreSQL: ${pgSection.database} (server ${pgSection.serverVersion}) dumped into ${pgSection.dump} (${dump?.bytes ?? '?'} bytes) by ${pgSection.pgDump}, one snapshot at ${pgSection.snapshotAt}`,
        `  journal audit: ${pgSection.audit.differences === 0 ? 'every balance matches the journal' : `${pgSection.audit.differences} differences`}`,
        ...pgSection.audit.first.map((f) => `    ${JSON.stringify(f)}`),
      );
    }
    lines.push(`  ledger: schema ${manifest.ledger.schemaVersion ?? '?'}, ${manifest.ledger.transactions} transactions; started ${manifest.startedAt}, finished ${manifest.finishedAt}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    for (const s of manifest.skipped.filter((s) => !s.why.startsWith('a SQLite side file'))) process.stderr.write(`memberkiosk backup: not copied: ${s.path}: ${s.why}\n`);
    return pgSection && pgSection.audit.differences > 0 ? 3 : 0;
  } catch (error) {
    const { describePostgresFailure } = await import('../backup/postgres-failure.ts');
    const failure = target ? describePostgresFailure(error, target.shown) : null;
    if (failure) {
      process.stderr.write(`memberkiosk backup: ${failure}\n`);
      return 1;
    }
    if (!isCodedError(error)) throw error;
    process.stderr.write(`memberkiosk backup: ${error.message} (${error.code})\n`);
    return REFUSALS.has(error.code) ? 2 : 1;
  } finally {
    await ledger?.close();
  }
}
