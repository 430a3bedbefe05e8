/**
 * `memberkiosk credit show|limit|sweep --data HUB`: credit (赊账) on a hub's ledger (docs/ACCOUNTS.md). `show`
 * prints a member's limit, what they owe, the warnings and the monthly statements; `limit` sets the member's own
 * limit (0: their card type's), recorded in the audit log as the CLI; `sweep` runs HQ's credit sweep (late fees
 * and interest on statements unpaid past their due date) now or as of --at, as the hub does every hour.
 */
import { userInfo } from 'node:os';
import { parseCommandArgs, usageError } from '../command-args.ts';
import { withLedger } from './with-ledger.ts';

const USAGE = `usage: memberkiosk credit show MEMBER_ID [--data DIR]
       memberkiosk credit limit MEMBER_ID CENTS [--data DIR]   the member's own limit; 0: their card type's
       memberkiosk credit sweep [--at ISO] [--data DIR]        charge late fees and interest now (or as of --at)
  --at      an ISO time ending in Z (default: now)
  --data    the hub's data directory (holding ledger.sqlite); default ./data/hub
exit codes: 0 done, 1 refused (no such member), 2 bad options or no ledger
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('credit', USAGE, { args, allowPositionals: true, options: { data: { type: 'string', default: './data/hub' }, at: { type: 'string' } } });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, memberId, cents, ...extra] = positionals;
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const wanted = { show: 1, limit: 2, sweep: 0 } as const;
  if (!action || !(action in wanted)) return usageError('credit', USAGE, 'say show, limit or sweep');
  const given = [memberId, cents, ...extra].filter((a) => a !== undefined).length;
  if (given !== wanted[action as keyof typeof wanted]) return usageError('credit', USAGE, `credit ${action} takes ${wanted[action as keyof typeof wanted]} argument(s)`);
  const at = values.at ?? new Date().toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(at) || Number.isNaN(Date.parse(at))) return usageError('credit', USAGE, '--at must be an ISO time ending in Z');
  const { memberCredit } = await import('../../hub/credit/member-credit.ts');
  const { CodedError, isCodedError } = await import('../../core/errors/coded-error.ts');
  const refused = (error: unknown) => {
    if (!isCodedError(error)) throw error;
    process.stderr.write(`memberkiosk credit: ${error.code}: ${error.message}\n`);
    return 1;
  };

  if (action === 'sweep') {
    const { chargeCredit } = await import('../../hub/hq/charge-credit.ts');
    const swept = await withLedger('credit', values.data, (ledger) => chargeCredit(ledger, at));
    if (!swept) return 2;
    print(swept);
    return 0;
  }
  const id = memberId!;
  if (action === 'limit' && !/^\d{1,12}$/.test(cents!)) return usageError('credit', USAGE, 'CENTS must be whole cents (0 or more)');
  const outcome = await withLedger('credit', values.data, async (ledger) => {
    const bundle = await ledger.latestRulesBundle();
    try {
      if (action === 'limit') {
        const before = await ledger.credit.creditProfile(id);
        if (!before || !(await ledger.credit.setCreditLimit(id, Number(cents)))) return refused(new CodedError('MEMBER_UNKNOWN'));
        const user = userInfo().username;
        await ledger.identity.appendAudit({ at: new Date().toISOString(), actorKind: 'cli', actorId: user, surface: 'cli', action: 'member.credit_limit', target: id, outcome: 'ok', before: { limitCents: before.ownLimitCents }, after: { limitCents: Number(cents) }, detail: null });
      }
      print(await memberCredit(ledger.credit, bundle!, id, at));
      return 0;
    } catch (error) {
      return refused(error);
    }
  });
  return outcome ?? 2;
}
