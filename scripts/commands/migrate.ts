/**
 * `memberkiosk migrate --from sqlite:DATA/ledger.sqlite --to postgres://…`: moves a single-node hub's ledger into
 * a new PostgreSQL database and checks the move (hub/ledger/migrate-to-postgres.ts does the copy and the checks).
 *
 * What is copied is a snapshot: SQLite's online backup (scripts/backup/copy-sqlite-online.ts) into a work folder
 * first, then the copy and every check run on that file. Why a copy rather than one read transaction on the live
 * file: the checks open the SQLite ledger through the ledger's own code, which may write (it brings an older schema
 * up to date) — on a copy, never under a hub; the comparison is against exactly the rows copied, so "equal" means
 * equal; and no read transaction is held on the hub's file for the whole migration (its WAL could not be
 * checkpointed meanwhile). The hub may be running — a rehearsal — but it must be stopped for the switch itself:
 * whatever it applies after the snapshot is not in PostgreSQL. So a hub found running, or a ledger that moved on
 * past the snapshot, ends with exit 3 and says so.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: memberkiosk migrate --from sqlite:DATA/ledger.sqlite --to postgres://USER@HOST:PORT/DATABASE [--work DIR]
  copies the hub's SQLite ledger into a new, empty PostgreSQL database, then checks the copy: every table's
  rows, the journal audit, the transaction count, every member's balances, every device's last seq per epoch;
  the fleet, signed configuration and device registry too (DATA/fleet.sqlite beside the ledger, when there is one)
  --from   sqlite:PATH of the hub's ledger (DATA/ledger.sqlite)
  --to     postgres:// (or postgresql://) URL of the target database; it must hold no data
  --work   folder for the snapshot copy of the ledger (as large as the ledger); default the system temp folder
stop the hub before the migration that counts: what it applies after the snapshot is not copied.
exit codes: 0 copied and every check equal; 1 refused (nothing written) or a check differs (printed);
  2 bad options or no ledger; 3 copied and checked, but the hub was running or its ledger moved on after the snapshot
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('migrate', USAGE, { args, options: { from: { type: 'string' }, to: { type: 'string' }, work: { type: 'string' } } });
  if (!flags.ok) return flags.exitCode;
  const { from, to, work } = flags.parsed.values;
  if (!from) return usageError('migrate', USAGE, '--from is required (sqlite:DATA/ledger.sqlite)');
  if (!to) return usageError('migrate', USAGE, '--to is required (postgres://USER@HOST:PORT/DATABASE)');
  if (!from.startsWith('sqlite:') || from.length === 'sqlite:'.length) return usageError('migrate', USAGE, `--from ${from} is not sqlite:PATH`);
  const target = postgresTarget(to);
  if (typeof target === 'string') return usageError('migrate', USAGE, target);
  const source = resolve(from.slice('sqlite:'.length));

  if (!existsSync(source)) {
    process.stderr.write(`memberkiosk migrate: no ledger at ${source}\n`);
    return 2;
  }
  if (work !== undefined && !(existsSync(work) && statSync(work).isDirectory())) return usageError('migrate', USAGE, `--work ${work} is not a folder`);
  // Loaded only now, so --help and bad flags are answered without loading SQLite, pg and the ledger.
  const { default: pino } = await import('pino');
  const { DEFAULT_RULES_BUNDLE } = await import('../../core/rules/default-bundle.ts');
  const { migrateSqliteToPostgres } = await import('../../hub/ledger/migrate-to-postgres.ts');
  const { copySqliteOnline, describeLedgerCopy } = await import('../backup/copy-sqlite-online.ts');
  const { isDatabaseInUse } = await import('../backup/database-in-use.ts');
  const { printMigrationReport } = await import('./migration-report.ts');
  const { default: pg } = await import('pg');
  const out = (line: string) => process.stdout.write(`${line}\n`);

  const runningBefore = isDatabaseInUse(source);
  if (runningBefore) process.stderr.write('memberkiosk migrate: a process (the hub?) has the ledger open: copying a snapshot of it now; what it applies later will not be in PostgreSQL\n');
  const folder = mkdtempSync(join(resolve(work ?? tmpdir()), 'memberkiosk-migrate-'));
  try {
    const snapshot = join(folder, 'ledger.sqlite');
    const copy = await copySqliteOnline(source, snapshot);
    const snapshotTransactions = describeLedgerCopy(snapshot).transactions;
    out(`snapshot of ${source} at ${copy.copiedAt}: ${copy.pages} pages, ${snapshotTransactions} transactions`);
    // The fleet beside the ledger (a hub's data directory holds both): snapshotted the same way, copied with it.
    const fleetSource = join(dirname(source), 'fleet.sqlite');
    let fleetPath: string | undefined;
    if (existsSync(fleetSource)) {
      fleetPath = join(folder, 'fleet.sqlite');
      const fleetCopy = await copySqliteOnline(fleetSource, fleetPath);
      out(`snapshot of ${fleetSource} at ${fleetCopy.copiedAt}: ${fleetCopy.pages} pages`);
    } else {
      out(`no fleet.sqlite beside the ledger: the fleet, signed configuration and device registry start empty`);
    }
    out(`into ${target.shown}`);
    const report = await migrateSqliteToPostgres({ sqlitePath: snapshot, postgresUrl: to, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, ...(fleetPath ? { fleetPath } : {}) });
    printMigrationReport(report, out);
    if (!report.ok) {
      out('the migration DIFFERS (above): do not start a hub on this database; drop it, and keep the hub on SQLite');
      return 1;
    }
    const movedOn = describeLedgerCopy(source).transactions - snapshotTransactions;
    const runningAfter = isDatabaseInUse(source);
    if (movedOn !== 0 || runningBefore || runningAfter) {
      out(`the hub ${runningAfter ? 'is still running' : 'was running'}${movedOn ? ` and applied ${movedOn} transactions after the snapshot` : ''}: PostgreSQL holds the ledger as of the snapshot only. For the switch, stop the hub, drop this database and migrate again.`);
      return 3;
    }
    out('migration checked: every table and every check equal');
    return 0;
  } catch (error) {
    if (isCodedError(error)) throw error;
    const { code } = error as { code?: unknown };
    // PostgreSQL's refusals (no such database, a login refused, a constraint) and not reaching it: one line, as for
    // a coded error. Anything else is a defect, and its stack is what whoever fixes it needs.
    if (error instanceof pg.DatabaseError || (typeof code === 'string' && UNREACHABLE.has(code))) {
      process.stderr.write(`memberkiosk migrate: PostgreSQL at ${target.shown}: ${(error as Error).message} (${String(code)})\n`);
      return 1;
    }
    throw error;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Socket errors of a PostgreSQL server that cannot be reached. */
const UNREACHABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The target URL checked for shape, with how to show it (the password masked), or what is wrong with it. */
function postgresTarget(to: string): { shown: string } | string {
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    return `--to ${to} is not a URL (postgres://USER@HOST:PORT/DATABASE)`;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return `--to must be a postgres:// URL, not ${url.protocol}`;
  if (!url.hostname) return '--to names no host (postgres://USER@HOST:PORT/DATABASE)';
  if (url.pathname.length <= 1) return '--to names no database (postgres://USER@HOST:PORT/DATABASE)';
  if (url.password) url.password = '***';
  return { shown: url.toString() };
}
