/**
 * `memberkiosk audit [--data DIR | --db postgres://…]`: sums the journal and compares it with every stored balance,
 * on the hub's SQLite ledger or its PostgreSQL database. Exit 1 on any difference.
 */
import { existsSync } from 'node:fs';
import type { Ledger } from '../../hub/ledger/ledger.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: memberkiosk audit [--data DIR | --db postgres://USER@HOST:PORT/DATABASE]
  sums the journal of the hub's ledger and compares it with every stored balance and points lot
  --data        the hub's ledger directory (holding ledger.sqlite); default ./data/hub
  --db          the hub's ledger is this PostgreSQL database (memberkiosk hub --db); read in one snapshot while
                the hub runs. The password from PGPASSWORD or ~/.pgpass
exit codes: 0 every balance matches the journal, 1 differences found (each printed) or PostgreSQL failed,
            2 bad options or no ledger
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('audit', USAGE, { args, options: { data: { type: 'string' }, db: { type: 'string' } } });
  if (!flags.ok) return flags.exitCode;
  const { data, db } = flags.parsed.values;
  if (data && db) return usageError('audit', USAGE, '--data and --db name two different ledgers: give one');
  if (db) {
    const { postgresTarget } = await import('../backup/postgres-tools.ts');
    const target = postgresTarget(db);
    if (typeof target === 'string') return usageError('audit', USAGE, `--db: ${target}`);
    const { openPostgresLedger } = await import('./open-postgres-ledger.ts');
    try {
      return await auditLedger(await openPostgresLedger(db));
    } catch (error) {
      const { describePostgresFailure } = await import('../backup/postgres-failure.ts');
      const failure = describePostgresFailure(error, target.shown);
      if (!failure) throw error;
      process.stderr.write(`memberkiosk audit: ${failure}\n`);
      return 1;
    }
  }
  const path = `${data ?? './data/hub'}/ledger.sqlite`;
  if (!existsSync(path)) {
    process.stderr.write(`memberkiosk audit: no ledger at ${path}\n`);
    return 2;
  }
  // Loaded only now, so --help and bad flags are answered without loading SQLite and the ledger.
  const { default: pino } = await import('pino');
  const { DEFAULT_RULES_BUNDLE } = await import('../../core/rules/default-bundle.ts');
  const { openLedger } = await import('../../hub/ledger/open-ledger.ts');
  return auditLedger(await openLedger({ kind: 'sqlite', path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE }));
}

/** Prints the audit of an opened ledger and closes it; the exit code. */
async function auditLedger(store: Ledger): Promise<number> {
  try {
    const findings = await store.audit();
    process.stdout.write(`${await store.transactionCount()} transactions; ${findings.length === 0 ? 'every balance matches the journal' : `${findings.length} differences`}\n`);
    for (const f of findings) process.stdout.write(`  ${JSON.stringify(f)}\n`);
    return findings.length === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}
