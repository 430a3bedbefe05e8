import { CodedError } from '../errors/coded-error.ts';
import type { HqOnlyTransactionOf } from '../wire/transaction.ts';
import { cardTypeOfCard, scheduledFee } from './card-types.ts';
import type { MemberPlanningContext } from './planning-context.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/**
 * A card's annual fee (年费; an attached card's own type sets the 附属卡年费) for one fee year, made by HQ's sweep in
 * the card's issue month. It is taken from the member's principal stored value; what that does not cover is owed
 * on `shortfall_value` (a fee already due is never dropped, and a member is never refused service for it here).
 * A cancelled card, a type without an annual fee, or a year already charged (at issue, or by an earlier sweep) is
 * refused ANNUAL_FEE_NOT_DUE: nothing is charged twice.
 */
export function planAnnualFee(tx: HqOnlyTransactionOf<'annual_fee'>, ctx: MemberPlanningContext): LedgerEffect {
  const card = ctx.card;
  if (!card || card.memberId !== ctx.member.memberId) throw new CodedError('CARD_UNKNOWN', `member ${ctx.member.memberId} has no card ${tx.cardUid}`);
  if (card.status === 'cancelled') throw new CodedError('ANNUAL_FEE_NOT_DUE', 'the card is cancelled');
  if (ctx.annualFeePaid === true) throw new CodedError('ANNUAL_FEE_NOT_DUE', `the ${tx.year} annual fee was charged already`);
  const fee = scheduledFee(cardTypeOfCard(ctx.bundle, card), 'annual');
  if (fee === 0) throw new CodedError('ANNUAL_FEE_NOT_DUE', 'the card type has no annual fee');
  const fromPrincipal = Math.min(Math.max(ctx.member.storedValueCents, 0), fee);
  const owed = fee - fromPrincipal;
  const effect = emptyEffect(ctx.member.memberId);
  if (fromPrincipal > 0) effect.postings.push({ account: 'stored_value', amount: -fromPrincipal });
  if (owed > 0) effect.postings.push({ account: 'shortfall_value', amount: owed });
  effect.feeCharges = [{ cardUid: card.uid, feeKind: 'annual', cents: fee, tender: owed > 0 ? 'owed' : 'stored_value', year: tx.year }];
  effect.summary = {
    pointsEarned: 0,
    pointsSpent: 0,
    valueDeltaCents: -fromPrincipal,
    trace: [`${tx.year} annual fee ${fee} cents for card ${card.uid.slice(-4)}${owed > 0 ? `: ${fromPrincipal} from stored value, ${owed} owed` : ''}`],
  };
  return effect;
}
