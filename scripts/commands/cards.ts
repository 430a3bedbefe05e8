/**
 * `memberkiosk cards types|issue|service --data HUB`: card types (卡类型) on a hub's ledger (docs/ACCOUNTS.md).
 * `types` prints the card types of the hub's newest rules; `issue` issues a card of a type on a member's accounts
 * and `service` repairs a card or extends its validity, each an HQ transaction through the ledger's one write path
 * with its fees from the type's fee schedule. Both move money, so both name a staff member who logs in here:
 * `--login NAME` with the password in MEMBERKIOSK_PASSWORD (never on the command line: shell history, ps).
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { withLedger } from './with-ledger.ts';

const USAGE = `usage: memberkiosk cards types [--data DIR]
       memberkiosk cards issue MEMBER_ID NEW_UID --type TYPE [--holder NAME] [--tender T] [--fee CENTS] --login NAME [--data DIR]
       memberkiosk cards service UID repair|extend [--tender T] [--fee CENTS] --login NAME [--data DIR]
  --type    a card type of the hub's rules (memberkiosk cards types)
  --holder  the holder of a supplementary, linked or group card, when not the member
  --tender  how the fee is paid: stored_value (default), cash, bank_card or mobile
  --fee     the fee you told the member, in cents: refused (FEE_MISMATCH) unless it is the schedule's
  --login   the staff login acting (cashier and up); the password is read from MEMBERKIOSK_PASSWORD
  --data    the hub's data directory (holding ledger.sqlite); default ./data/hub
exit codes: 0 done, 1 refused (the result's code on stderr), 2 bad options, no ledger or login failed
`;

const TENDERS = ['stored_value', 'cash', 'bank_card', 'mobile'] as const;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('cards', USAGE, {
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string', default: './data/hub' },
      type: { type: 'string' },
      holder: { type: 'string' },
      tender: { type: 'string', default: 'stored_value' },
      fee: { type: 'string' },
      login: { type: 'string' },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, first, second, ...extra] = positionals;
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  if (extra.length > 0) return usageError('cards', USAGE, `unexpected argument '${extra[0]}'`);

  if (action === 'types') {
    if (first !== undefined) return usageError('cards', USAGE, `unexpected argument '${first}'`);
    const types = await withLedger('cards', values.data, async (ledger) => {
      const bundle = await ledger.latestRulesBundle();
      return { rulesVersion: bundle?.version ?? null, default: bundle?.cardTypes?.default ?? bundle?.cardTypes?.types[0]?.typeId ?? null, types: bundle?.cardTypes?.types ?? [] };
    });
    if (!types) return 2;
    print(types);
    return 0;
  }
  if (action !== 'issue' && action !== 'service') return usageError('cards', USAGE, 'say types, issue or service');
  if (!first || !second) return usageError('cards', USAGE, action === 'issue' ? 'cards issue needs MEMBER_ID and NEW_UID' : 'cards service needs UID and repair or extend');
  if (action === 'issue' && !values.type) return usageError('cards', USAGE, 'cards issue needs --type TYPE');
  if (action === 'service' && second !== 'repair' && second !== 'extend') return usageError('cards', USAGE, 'the service is repair or extend');
  const tender = TENDERS.find((t) => t === values.tender);
  if (!tender) return usageError('cards', USAGE, '--tender is stored_value, cash, bank_card or mobile');
  if (values.fee !== undefined && !/^\d{1,12}$/.test(values.fee)) return usageError('cards', USAGE, '--fee is whole cents');
  const password = process.env.MEMBERKIOSK_PASSWORD;
  if (!values.login || !password) return usageError('cards', USAGE, 'name the staff acting: --login NAME, the password in MEMBERKIOSK_PASSWORD');
  const feeClaim = values.fee === undefined ? {} : { feeCents: Number(values.fee) };

  const { default: pino } = await import('pino');
  const { CodedError, isCodedError } = await import('../../core/errors/coded-error.ts');
  const { createIdentityService } = await import('../../hub/identity/identity-service.ts');
  const { submitHqTransaction } = await import('../../hub/hq/hq-transactions.ts');
  const { actingStore } = await import('../../hub/http/code-draw-routes.ts');
  const { assertMemberInScope } = await import('../../hub/http/member-access.ts');
  const outcome = await withLedger('cards', values.data, async (ledger) => {
    const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    try {
      const { staff, session } = await identity.login(values.login!, password, 'cli');
      const actor = { staffId: session.staffId, sessionId: session.sessionId };
      let result;
      if (action === 'issue') {
        // The member must be in the staff member's scope, as at the hub API; issued on their card as the member view shows it.
        await assertMemberInScope(ledger, staff, first);
        const view = await ledger.memberViewById(first, 0);
        if (!view) throw new CodedError('MEMBER_UNKNOWN');
        result = await submitHqTransaction(ledger, {
          kind: 'card_issue',
          storeId: await actingStore(ledger, staff.storeIds, first),
          cardUid: view.card.uid,
          newCardUid: second.toUpperCase(),
          cardTypeId: values.type!,
          ...(values.holder === undefined ? {} : { holderName: values.holder }),
          feeTender: tender,
          ...feeClaim,
          actor,
        });
      } else {
        const card = await ledger.card(first.toUpperCase());
        if (!card) throw new CodedError('CARD_UNKNOWN');
        await assertMemberInScope(ledger, staff, card.memberId);
        result = await submitHqTransaction(ledger, {
          kind: 'card_service',
          storeId: await actingStore(ledger, staff.storeIds, card.memberId),
          cardUid: card.uid,
          service: second === 'repair' ? 'repair' : 'extend',
          feeTender: tender,
          ...feeClaim,
          actor,
        });
      }
      print(result);
      if (result.status === 'rejected') {
        process.stderr.write(`memberkiosk cards: ${result.code ?? 'REFUSED'}: ${result.message ?? ''}\n`);
        return 1;
      }
      return 0;
    } catch (error) {
      if (!isCodedError(error)) throw error;
      process.stderr.write(`memberkiosk cards: ${error.code}: ${error.message}\n`);
      return error.code === 'LOGIN_FAILED' ? 2 : 1;
    }
  });
  return outcome ?? 2;
}
