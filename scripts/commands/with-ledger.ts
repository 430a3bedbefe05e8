/**
 * Opens the hub's ledger (DATA/ledger.sqlite) for a command that works on it beside a running hub (WAL, busy
 * timeout, writes in immediate transactions), and closes it after. Null, with one line on stderr, when there
 * is no ledger there.
 */
import { existsSync } from 'node:fs';
import type { Ledger } from '../../hub/ledger/ledger.ts';

export async function withLedger<T>(command: string, dataDir: string, use: (ledger: Ledger) => Promise<T>): Promise<T | null> {
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
