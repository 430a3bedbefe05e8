/** `memberkiosk audit [--data DIR]`: sums the journal and compares it with every stored balance. Exit 1 on any difference. */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { SqliteLedgerStore } from '../../hub/ledger/sqlite/sqlite-ledger-store.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { data: { type: 'string', default: './data/hub' } }, strict: true });
  const path = `${values.data}/ledger.sqlite`;
  if (!existsSync(path)) {
    process.stderr.write(`memberkiosk audit: no ledger at ${path}\n`);
    return 2;
  }
  const store = new SqliteLedgerStore({ path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
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
