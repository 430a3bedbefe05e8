/**
 * Opens the hub's ledger (DATA/ledger.sqlite) for a command that works on it beside a running hub (WAL, busy
 * timeout, writes in immediate transactions), and closes it after. Null, with one line on stderr, when there
 * is no ledger there. `db`: the hub's PostgreSQL database instead, when the command was given the hub's --db.
 */
import { existsSync } from 'node:fs';
import type { HubDb } from '../../hub/db/hub-db.ts';
import type { Ledger } from '../../hub/ledger/ledger.ts';

export async function withLedger<T>(command: string, dataDir: string, use: (ledger: Ledger) => Promise<T>, db: HubDb = { kind: 'sqlite' }): Promise<T | null> {
  if (db.kind === 'postgres') return withPostgresLedger(db.url, use);
  const path = `${dataDir}/ledger.sqlite`;
  if (!existsSync(path)) {
    process.stderr.write(`memberkiosk ${command}: no ledger at ${path}\n`);
    return null;
  }
  // Loaded only now, so --help and bad flags are answered without loading SQLite and the ledger.
  const { default: pino } = await import('pino');
  const { DEFAULT_RULES_BUNDLE } = await import('../../core/rules/default-bundle.ts');
  const { openLedger } = await import('../../hub/ledger/open-ledger.ts');
  const ledger = await openLedger({ kind: 'sqlite', path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  try {
    return await use(ledger);
  } finally {
    await ledger.close();
  }
}

async function withPostgresLedger<T>(url: string, use: (ledger: Ledger) => Promise<T>): Promise<T> {
  const { default: pino } = await import('pino');
  const { DEFAULT_RULES_BUNDLE } = await import('../../core/rules/default-bundle.ts');
  const { openLedger } = await import('../../hub/ledger/open-ledger.ts');
  const ledger = await openLedger({ kind: 'postgres', url, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });
  try {
    return await use(ledger);
  } finally {
    await ledger.close();
  }
}
