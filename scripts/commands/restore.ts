/**
 * `memberkiosk restore --from BACKUP --data DIR [--db postgres://…] [--force]`: a backup of `memberkiosk backup` back
 * into a hub's data directory (scripts/backup/restore-backup.ts) — and, for a hub on PostgreSQL, its dump into a
 * database (scripts/backup/restore-postgres-backup.ts) — then the journal audit of the restored ledger, printed: a
 * restore is trusted only once the restored ledger's journal agrees with every balance and holds what the backup's
 * manifest says it held.
 */
import { join } from 'node:path';
import { isCodedError } from '../../core/errors/coded-error.ts';
import type { PostgresTarget } from '../backup/postgres-tools.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';
import { openPostgresLedger } from './open-postgres-ledger.ts';

const USAGE = `usage: memberkiosk restore --from BACKUP --data DIR [--db postgres://USER@HOST:PORT/DATABASE [--pg-bin DIR]] [--force]
  checks every file of BACKUP against its manifest (size, SHA-256), copies them into DIR, checks the copies, then
  opens the restored ledger and runs the journal audit (as memberkiosk audit) and prints it. Stop the hub first.
  --from    a backup folder written by memberkiosk backup (holding manifest.json)
  --data    the hub's data directory to restore into: new or empty
  --db      the backup is of a hub on PostgreSQL: its dump is restored into this database (new: created; or one
            without tables) with pg_restore in one transaction, then compared with the manifest (transactions,
            fingerprints of the money rows, journal audit). The password from PGPASSWORD or ~/.pgpass
  --pg-bin  the folder of pg_restore (e.g. /usr/lib/postgresql/15/bin); default: found on PATH
  --force   DIR is not empty: move what is there aside into DIR.before-restore-<UTC time> (beside it) first;
            refused while a process (a running hub) has its databases open. With --db, a database holding tables
            is renamed to <name>_before_restore_<UTC time> (kept) and made anew; refused while anyone is connected
exit codes: 0 restored and every balance matches the journal, 1 the backup is damaged (nothing restored), the
            restored ledger's audit found differences or it differs from the manifest (each printed), or
            PostgreSQL failed, 2 bad options, DIR or the database not empty without --force, in use or unusable,
            or the backup is of the other kind of hub
`;

const REFUSALS = new Set(['RESTORE_TARGET_NOT_EMPTY', 'RESTORE_TARGET_IN_USE', 'RESTORE_TARGET_INVALID', 'RESTORE_DATABASE_NOT_EMPTY', 'RESTORE_DATABASE_IN_USE', 'BACKUP_KIND_MISMATCH']);

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('restore', USAGE, {
    args,
    options: { from: { type: 'string' }, data: { type: 'string' }, db: { type: 'string' }, 'pg-bin': { type: 'string' }, force: { type: 'boolean', default: false } },
  });
  if (!flags.ok) return flags.exitCode;
  const { from, data, force, db, 'pg-bin': pgBin } = flags.parsed.values;
  // No default --data: restoring into ./data/hub because a flag was forgotten is not a mistake to make easy.
  if (!from) return usageError('restore', USAGE, '--from is required');
  if (!data) return usageError('restore', USAGE, '--data is required');
  if (pgBin && !db) return usageError('restore', USAGE, '--pg-bin goes with --db');
  if (db) {
    const { postgresTarget } = await import('../backup/postgres-tools.ts');
    const target = postgresTarget(db);
    if (typeof target === 'string') return usageError('restore', USAGE, `--db: ${target}`);
    return restorePostgres({ from, data, force: force ?? false, target, ...(pgBin ? { pgBin } : {}) });
  }
  const { restoreBackup } = await import('../backup/restore-backup.ts');
  let restored;
  try {
    restored = await restoreBackup({ from, dataDir: data, force: force ?? false });
  } catch (error) {
    if (!isCodedError(error)) throw error;
    process.stderr.write(`memberkiosk restore: ${error.message} (${error.code})\n`);
    return REFUSALS.has(error.code) ? 2 : 1;
  }
  const { manifest, dataDir, movedAsideTo } = restored;
  if (movedAsideTo) process.stdout.write(`moved what was in ${dataDir} aside to ${movedAsideTo}\n`);
  process.stdout.write(`restored ${manifest.files.length} files into ${dataDir} from the backup started ${manifest.startedAt} of ${manifest.source}\n`);

  const { default: pino } = await import('pino');
  const { DEFAULT_RULES_BUNDLE } = await import('../../core/rules/default-bundle.ts');
  const { openLedger } = await import('../../hub/ledger/open-ledger.ts');
  // Opened as the hub opens it: a backup from an older version is migrated here, as the hub would on start.
  const ledger = await openLedger({ kind: 'sqlite', path: join(dataDir, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  try {
    const findings = await ledger.audit();
    const transactions = await ledger.transactionCount();
    process.stdout.write(`journal audit: ${transactions} transactions; ${findings.length === 0 ? 'every balance matches the journal' : `${findings.length} differences`}\n`);
    for (const f of findings) process.stdout.write(`  ${JSON.stringify(f)}\n`);
    if (transactions !== manifest.ledger.transactions) {
      process.stdout.write(`  the restored ledger holds ${transactions} transactions; the backup's manifest says ${manifest.ledger.transactions}\n`);
      return 1;
    }
    return findings.length === 0 ? 0 : 1;
  } finally {
    await ledger.close();
  }
}

/** The restore of a PostgreSQL hub's backup, its comparison with the manifest and the journal audit. */
async function restorePostgres(options: { from: string; data: string; force: boolean; target: PostgresTarget; pgBin?: string }): Promise<number> {
  const { restorePostgresBackup } = await import('../backup/restore-postgres-backup.ts');
  const { describePostgresFailure } = await import('../backup/postgres-failure.ts');
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const failed = (error: unknown): number => {
    const failure = describePostgresFailure(error, options.target.shown);
    if (failure) {
      process.stderr.write(`memberkiosk restore: ${failure}\n`);
      return 1;
    }
    if (!isCodedError(error)) throw error;
    process.stderr.write(`memberkiosk restore: ${error.message} (${error.code})\n`);
    return REFUSALS.has(error.code) ? 2 : 1;
  };
  let restored;
  try {
    restored = await restorePostgresBackup({ from: options.from, dataDir: options.data, target: options.target, force: options.force, ...(options.pgBin ? { pgBin: options.pgBin } : {}) });
  } catch (error) {
    return failed(error);
  }
  const { manifest, dataDir, movedAsideTo, database, summary, differences } = restored;
  const { postgres } = manifest;
  if (movedAsideTo) out(`moved what was in ${dataDir} aside to ${movedAsideTo}`);
  if (database.created) out(`created the database ${options.target.shown}`);
  else if (database.renamedAsideTo) out(`renamed the database that was there aside to ${database.renamedAsideTo}`);
  out(`restored ${manifest.files.length - 1} files into ${dataDir} and the dump of ${postgres.database} (snapshot ${postgres.snapshotAt}) into ${options.target.shown}`);
  out(`against the manifest: ${differences.length === 0 ? `equal (${summary.transactions} transactions; accounts, points lots, journal and transactions fingerprints)` : `${differences.length} DIFFER`}`);
  for (const d of differences) out(`  ${d}`);

  let ledger;
  try {
    // Opened as the hub opens it: a dump of an older schema is migrated here, as the hub would on start.
    ledger = await openPostgresLedger(options.target.url);
  } catch (error) {
    return failed(error);
  }
  try {
    const findings = await ledger.audit();
    out(`journal audit: ${summary.transactions} transactions; ${findings.length === 0 ? 'every balance matches the journal' : `${findings.length} differences`}`);
    for (const f of findings) out(`  ${JSON.stringify(f)}`);
    if (findings.length !== postgres.audit.differences) out(`  the backup's manifest says the audit found ${postgres.audit.differences} differences when it was taken`);
    else if (findings.length > 0) out('  the ledger had these differences when the backup was taken, too');
    return differences.length === 0 && findings.length === 0 && postgres.audit.differences === 0 ? 0 : 1;
  } finally {
    await ledger.close();
  }
}
