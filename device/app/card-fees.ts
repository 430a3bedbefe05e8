/**
 * The fee a kiosk shows and names for a card transaction (docs/ACCOUNTS.md "Fees (收费设置)"): from its own rules,
 * the fee schedule of the card type. The kiosk never decides the amount — the hub charges its schedule's fee —
 * but it names what it showed (`feeCents`), so a kiosk whose rules differ from the hub's is refused FEE_MISMATCH
 * instead of charging a member what the screen did not say.
 */
import { cardTypeOf, scheduledFee } from '../../core/ledger/card-types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { TxKind } from '../../core/wire/transaction.ts';
import type { TxRequest } from './tx-request.ts';

/** The card transactions that charge a fee of the schedule. */
export const FEE_KINDS: ReadonlySet<TxKind> = new Set(['card_issue', 'card_service', 'card_replace']);

/**
 * The fee the kiosk's rules put on this request; undefined where it cannot tell (no rules held, a type its
 * rules lack, a card whose type it has not seen): then it names none and the hub's schedule alone decides.
 * `cardType`: the type of the card on the reader as its member view showed it (null: the default type;
 * undefined: not known here).
 */
export function feeClaimOf(kind: TxKind, request: TxRequest, bundle: RulesBundle | null, cardType: string | null | undefined): number | undefined {
  if (!bundle || !FEE_KINDS.has(kind)) return undefined;
  if (!bundle.cardTypes) return 0;
  if (kind === 'card_issue') {
    const type = typeof request.cardTypeId === 'string' ? bundle.cardTypes.types.find((t) => t.typeId === request.cardTypeId) : undefined;
    // The issue fee and the first annual fee, charged together.
    return type ? scheduledFee(type, 'issue') + scheduledFee(type, 'annual') : undefined;
  }
  if (cardType === undefined) return undefined;
  const type = cardTypeOf(bundle, cardType);
  if (!type) return undefined;
  if (kind === 'card_replace') return scheduledFee(type, 'replace');
  return request.service === 'repair' || request.service === 'extend' ? scheduledFee(type, request.service) : undefined;
}
