import { CodedError } from '../errors/coded-error.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { cardTypeOfCard, monthsLater, scheduledFee } from './card-types.ts';
import { chargeFees, feeTrace } from './fee-charges.ts';
import type { PlanningContext } from './planning-context.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/** Months an extension adds when the type sets neither extendMonths nor validityMonths. */
const DEFAULT_EXTEND_MONTHS = 12;

/**
 * A paid card service from the card type's fee schedule, by staff:
 * - `repair` (修卡): the repair fee; the card itself is unchanged.
 * - `extend` (延期): the extension fee, and the validity end moves `extendMonths` on — from the current end, or
 *   from today where it has passed (an expired card is valid again from today, not for a stretch already gone).
 * A cancelled card (replaced, returned) takes no service: CARD_BAD_STATE.
 */
export function planCardService(tx: TransactionOf<'card_service'>, ctx: PlanningContext): LedgerEffect {
  assertStaffMayAct(tx, ctx);
  if (ctx.card.status === 'cancelled') throw new CodedError('CARD_BAD_STATE', `cannot ${tx.service} a card that is cancelled`, { status: ctx.card.status });
  const type = cardTypeOfCard(ctx.bundle, ctx.card);
  const fees = chargeFees([{ cardUid: ctx.card.uid, feeKind: tx.service, scheduledCents: scheduledFee(type, tx.service), tender: tx.feeTender }], tx.feeCents, ctx.member, ctx.deviceMode);
  const effect = emptyEffect(ctx.member.memberId);
  effect.postings.push(...fees.postings);
  if (fees.feeCharges.length > 0) effect.feeCharges = fees.feeCharges;
  const trace: string[] = [];
  if (tx.service === 'extend') {
    const months = type?.extendMonths ?? type?.validityMonths ?? DEFAULT_EXTEND_MONTHS;
    const from = ctx.card.validUntil !== null && ctx.card.validUntil > tx.createdAt ? ctx.card.validUntil : tx.createdAt;
    const validUntil = monthsLater(ctx.bundle, from, months);
    effect.cardValidityChanges = [{ uid: ctx.card.uid, validUntil }];
    if (ctx.card.status === 'expired') effect.cardChanges.push({ uid: ctx.card.uid, status: 'active' });
    trace.push(`card valid until ${validUntil} (+${months} months)`);
  } else {
    trace.push(`card ${ctx.card.uid.slice(-4)} repaired`);
  }
  effect.summary = { pointsEarned: 0, pointsSpent: 0, valueDeltaCents: 0 - fees.postings.reduce((sum, p) => sum - p.amount, 0), trace: [...trace, ...feeTrace(fees.feeCharges)] };
  return effect;
}
