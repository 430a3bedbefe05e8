/**
 * `memberkiosk fees report|sweep --data HUB`: the fee schedule's charges (收费设置, docs/ACCOUNTS.md). `report`
 * sums the fees charged in a period by fee and tender (every store: the CLI runs on the hub's own machine);
 * `sweep` runs HQ's annual fee sweep (年费 in each card's issue month) now or as of --at, as the hub does every hour.
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { withLedger } from './with-ledger.ts';

const USAGE = `usage: memberkiosk fees report --from ISO --to ISO [--data DIR]   fees charged, by fee and tender
       memberkiosk fees sweep [--at ISO] [--data DIR]                 charge the annual fees due now (or as of --at)
  --from, --to  ISO times ending in Z (from inclusive, to exclusive)
  --at          an ISO time ending in Z (default: now)
  --data        the hub's data directory (holding ledger.sqlite); default ./data/hub
exit codes: 0 done, 2 bad options or no ledger
`;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;
const isIso = (value: string | undefined): value is string => value !== undefined && ISO.test(value) && !Number.isNaN(Date.parse(value));

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('fees', USAGE, {
    args,
    allowPositionals: true,
    options: { data: { type: 'string', default: './data/hub' }, from: { type: 'string' }, to: { type: 'string' }, at: { type: 'string' } },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, ...extra] = positionals;
  if (extra.length > 0) return usageError('fees', USAGE, `unexpected argument '${extra[0]}'`);
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  if (action === 'report') {
    if (!isIso(values.from) || !isIso(values.to)) return usageError('fees', USAGE, '--from and --to must be ISO times ending in Z');
    const from = new Date(values.from).toISOString();
    const to = new Date(values.to).toISOString();
    if (from >= to) return usageError('fees', USAGE, '--from must be before --to');
    const rows = await withLedger('fees', values.data, (ledger) => ledger.cardFees.feeReport({ from, to, storeIds: '*' }));
    if (!rows) return 2;
    print({ from, to, rows, totalCents: rows.reduce((sum, row) => sum + row.cents, 0) });
    return 0;
  }
  if (action === 'sweep') {
    const at = values.at ?? new Date().toISOString();
    if (!isIso(at)) return usageError('fees', USAGE, '--at must be an ISO time ending in Z');
    const { chargeAnnualFees } = await import('../../hub/hq/charge-annual-fees.ts');
    const swept = await withLedger('fees', values.data, (ledger) => chargeAnnualFees(ledger, new Date(at).toISOString()));
    if (!swept) return 2;
    print(swept);
    return 0;
  }
  return usageError('fees', USAGE, 'say report or sweep');
}
