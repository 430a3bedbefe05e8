import { CodedError } from '../errors/coded-error.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { nextCardStatus } from './card-rules.ts';
import type { PlanningContext } from './planning-context.ts';
import { assertMemberPinProof } from './member-pin-rules.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { cardTypeOfCard, scheduledFee } from './card-types.ts';
import { chargeFees, feeTrace } from './fee-charges.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

type LifecycleTx = TransactionOf<'card_report_loss' | 'card_cancel_loss' | 'card_freeze' | 'card_unfreeze' | 'card_replace'>;

/**
 * Card lifecycle. A member may report their own card lost at the kiosk (no staff card needed: stopping a
 * lost card must never wait for staff); every other change needs staff. Accounts belong to the member,
 * not the card, so replacing a card moves everything to the new card by pointing it at the same member.
 */
export function planCardLifecycle(tx: LifecycleTx, ctx: PlanningContext): LedgerEffect {
  if (tx.kind !== 'card_report_loss' || tx.actor !== undefined || tx.staffCardUid !== undefined) assertStaffMayAct(tx, ctx);
  // Reported by phone and PIN (the card itself gone): the proof must be the member's, from this kiosk.
  if (tx.kind === 'card_report_loss' && tx.memberPinProof !== undefined) assertMemberPinProof(tx, ctx.member.memberId, ctx.memberPinProof);
  const status = nextCardStatus(ctx.card, tx.kind);
  const effect = emptyEffect(ctx.member.memberId);
  if (tx.kind === 'card_replace') {
    if (ctx.newCardTaken) throw new CodedError('CARD_ALREADY_EXISTS', `card ${tx.newCardUid.slice(-4)} is already issued`);
    // The new card takes over the old one's type, holder and validity: a replacement is the same card, renewed.
    const type = cardTypeOfCard(ctx.bundle, ctx.card);
    const fees = chargeFees([{ cardUid: tx.newCardUid, feeKind: 'replace', scheduledCents: scheduledFee(type, 'replace'), tender: tx.feeTender }], tx.feeCents, ctx.member, ctx.deviceMode);
    effect.postings.push(...fees.postings);
    if (fees.feeCharges.length > 0) effect.feeCharges = fees.feeCharges;
    effect.cardChanges.push({ uid: ctx.card.uid, status, replacedBy: tx.newCardUid });
    effect.newCards.push({ uid: tx.newCardUid, memberId: ctx.member.memberId, cardType: ctx.card.cardType ?? null, holderName: ctx.card.holderName ?? null, validUntil: ctx.card.validUntil });
    const storedValuePaid = fees.postings.reduce((sum, p) => sum - p.amount, 0);
    effect.summary = { pointsEarned: 0, pointsSpent: 0, valueDeltaCents: 0 - storedValuePaid, trace: ['card replaced', ...feeTrace(fees.feeCharges)] };
    return effect;
  }
  effect.cardChanges.push({ uid: ctx.card.uid, status });
  effect.summary = { pointsEarned: 0, pointsSpent: 0, valueDeltaCents: 0, trace: [`card ${status}`] };
  return effect;
}
