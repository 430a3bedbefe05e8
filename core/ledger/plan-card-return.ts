import { CodedError } from '../errors/coded-error.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { nextCardStatus } from './card-rules.ts';
import type { PlanningContext } from './planning-context.ts';
import { cardTypeOfCard, scheduledFee } from './card-types.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { assertTenderAllowed } from './tender-rules.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/**
 * Card return (退卡): the member hands the card back and takes out what they paid in.
 *
 * - The card is cancelled for good (`cancelled`: any later use is refused CARD_CANCELLED, any later lifecycle
 *   change CARD_BAD_STATE).
 * - The principal stored value (what the member paid in) is paid back by the tender the staff member names
 *   (cash at an attended counter kiosk or the hub, or a bank transfer): one journal entry taking it to zero.
 * - What the member owes on `shortfall_value` (offline sales their balance did not cover) is settled out of that
 *   principal first: one entry taking the shortfall to zero, and the payout is that much less. A member whose
 *   principal does not cover what they owe, or who owes anything on credit (赊账), is refused
 *   CARD_RETURN_BALANCE_OWED: settle first (a top-up, a credit repayment), then return.
 * - Bonus value (what top-up promotions gave) is never paid out: forfeited, its own journal entry.
 * - Points are kept: they belong to the member, not the card, and carry no cash value; a new card for the same
 *   member finds them. Count cards likewise.
 * - The card type's `return` fee, where its fee schedule sets one (none by default: none of the chains' documents
 *   names a return fee), is taken from the principal too: payout = principal − owed − fee.
 */
export function planCardReturn(tx: TransactionOf<'card_return'>, ctx: PlanningContext): LedgerEffect {
  assertStaffMayAct(tx, ctx);
  // Cash paid out needs a person to hand it over: an unattended kiosk refuses it (TENDER_NOT_ALLOWED), as it does cash taken.
  assertTenderAllowed(ctx.deviceMode, tx.refundTender);
  const status = nextCardStatus(ctx.card, 'card_return');
  const principal = ctx.member.storedValueCents;
  const owed = Math.max(ctx.shortfallValueCents ?? 0, 0);
  const feeCents = scheduledFee(cardTypeOfCard(ctx.bundle, ctx.card), 'return');
  // Credit (赊账) is owed by the member, not the card, but a returned card ends their dealings: repay first
  // (credit_repay, from this very stored value if they like), then return. Never netted here unasked.
  const creditOwed = Math.max(ctx.creditOwedCents ?? 0, 0);
  if (creditOwed > 0) {
    throw new CodedError('CARD_RETURN_BALANCE_OWED', `the member owes ${creditOwed} cents on credit: repay it first`, { creditOwedCents: creditOwed });
  }
  if (principal < owed + feeCents) {
    throw new CodedError('CARD_RETURN_BALANCE_OWED', `the member owes ${owed + feeCents - principal} cents more than their stored value`, {
      storedValueCents: principal,
      shortfallValueCents: owed,
      feeCents,
    });
  }
  const bonus = Math.max(ctx.member.bonusValueCents, 0);
  const payoutCents = principal - owed - feeCents;
  const effect = emptyEffect(ctx.member.memberId);
  if (principal > 0) effect.postings.push({ account: 'stored_value', amount: -principal });
  if (owed > 0) effect.postings.push({ account: 'shortfall_value', amount: -owed });
  if (bonus > 0) effect.postings.push({ account: 'bonus_value', amount: -bonus });
  effect.cardChanges.push({ uid: ctx.card.uid, status });
  const trace = [`card returned: ${payoutCents} cents paid back by ${tx.refundTender}`];
  if (owed > 0) trace.push(`${owed} cents owed (shortfall) settled from the principal`);
  if (feeCents > 0) {
    effect.feeCharges = [{ cardUid: ctx.card.uid, feeKind: 'return', cents: feeCents, tender: 'stored_value' }];
    trace.push(`return fee ${feeCents} cents from the principal`);
  }
  if (bonus > 0) trace.push(`${bonus} cents bonus value forfeited`);
  trace.push(`points kept: ${ctx.member.points}`);
  effect.summary = { pointsEarned: 0, pointsSpent: 0, valueDeltaCents: -(principal + bonus), trace };
  return effect;
}
