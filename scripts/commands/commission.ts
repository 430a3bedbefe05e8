/**
 * `memberkiosk commission report --from DAY --to DAY [--store S] [--csv] --data HUB`: the staff commission report
 * (员工提成, docs/ACCOUNTS.md) on a hub's ledger, as the API gives it (GET /api/reports/commission). Whoever can run
 * this has the hub's files, so every store is theirs to read; levels are set with `memberkiosk staff level`.
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { withLedger } from './with-ledger.ts';

const USAGE = `usage: memberkiosk commission report --from YYYY-MM-DD --to YYYY-MM-DD [--store S] [--csv] [--data DIR]
  --from     the first local day of the period (the chain's time zone)
  --to       the first local day after it (--from 2025-11-01 --to 2025-12-01: November)
  --store    only the money taken in this store; default every store
  --csv      one row per staff member and consumption code, then their total (cents); default JSON
  --data     the hub's data directory (holding ledger.sqlite); default ./data/hub
exit codes: 0 done, 1 refused (the reason is printed), 2 bad options or no ledger
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('commission', USAGE, {
    args,
    allowPositionals: true,
    options: { data: { type: 'string', default: './data/hub' }, from: { type: 'string' }, to: { type: 'string' }, store: { type: 'string' }, csv: { type: 'boolean', default: false } },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, ...extra] = positionals;
  if (action !== 'report') return usageError('commission', USAGE, 'say report');
  if (extra.length > 0) return usageError('commission', USAGE, `unexpected argument '${extra[0]}'`);
  if (!values.from || !values.to) return usageError('commission', USAGE, 'commission report needs --from and --to');
  const { commissionCsv, commissionReport } = await import('../../hub/commission/commission-report.ts');
  const report = await withLedger('commission', values.data, (ledger) =>
    commissionReport({ reads: ledger.commission, identity: ledger.identity, rules: ledger }, { from: values.from!, to: values.to!, storeId: values.store }, ['*']),
  );
  if (!report) return 2;
  process.stdout.write(values.csv ? commissionCsv(report) : `${JSON.stringify(report, null, 2)}\n`);
  return 0;
}
