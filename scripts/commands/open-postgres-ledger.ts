/**
 * The hub's ledger on PostgreSQL, opened for a command (audit, backup, restore) as the hub opens it: brought up to
 * date by the ledger's migrations, with a small pool (a command reads, it does not serve kiosks).
 */
import type { Ledger } from '../../hub/ledger/ledger.ts';

export async function openPostgresLedger(url: string): Promise<Ledger> {
  // Loaded only now, so --help and bad flags are answered without loading pg and the ledger.
  const { default: pino } = await import('pino');
  const { DEFAULT_RULES_BUNDLE } = await import('../../core/rules/default-bundle.ts');
  const { openLedger } = await import('../../hub/ledger/open-ledger.ts');
  return openLedger({ kind: 'postgres', url, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });
}
