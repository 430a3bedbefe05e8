/** `memberkiosk audit [--data DIR]`: sums the journal and compares it with every stored balance. Exit 1 on any difference. */
import pino from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { SqliteLedgerStore } from '../../hub/ledger/sqlite/sqlite-ledger-store.ts';
import { parseFlags } from '../flags.ts';

export async function run(args: string[]): Promise<number> {
  const flags = parseFlags(args, { data: './data/hub' });
  const store = new SqliteLedgerStore({ path: `${flags.data}/ledger.sqlite`, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  store.open();
  try {
    const findings = store.audit();
    process.stdout.write(`${store.transactionCount()} transactions; ${findings.length === 0 ? 'every balance matches the journal' : `${findings.length} differences`}\n`);
    for (const f of findings) process.stdout.write(`  ${JSON.stringify(f)}\n`);
    return findings.length === 0 ? 0 : 1;
  } finally {
    store.close();
  }
}
