/** `memberkiosk audit [--data DIR]`: sums the journal and compares it with every stored balance. Exit 1 on any difference. */
import { existsSync } from 'node:fs';
import { parseCommandArgs } from '../command-args.ts';

const USAGE = `usage: memberkiosk audit [--data DIR]
  sums the journal of the hub's ledger and compares it with every stored balance and points lot
  --data        the hub's ledger directory (holding ledger.sqlite); default ./data/hub
exit codes: 0 every balance matches the journal, 1 differences found (each printed), 2 bad options or no ledger
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('audit', USAGE, { args, options: { data: { type: 'string', default: './data/hub' } } });
  if (!flags.ok) return flags.exitCode;
  const path = `${flags.parsed.values.data}/ledger.sqlite`;
  if (!existsSync(path)) {
    process.stderr.write(`memberkiosk audit: no ledger at ${path}\n`);
    return 2;
  }
  // Loaded only now, so --help and bad flags are answered without loading SQLite and the ledger.
  const { default: pino } = await import('pino');
  const { DEFAULT_RULES_BUNDLE } = await import('../../core/rules/default-bundle.ts');
  const { openLedger } = await import('../../hub/ledger/open-ledger.ts');
  const store = await openLedger({ kind: 'sqlite', path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  try {
    const findings = await store.audit();
    process.stdout.write(`${await store.transactionCount()} transactions; ${findings.length === 0 ? 'every balance matches the journal' : `${findings.length} differences`}\n`);
    for (const f of findings) process.stdout.write(`  ${JSON.stringify(f)}\n`);
    return findings.length === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}
