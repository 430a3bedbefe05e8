import { CodedError } from '../errors/coded-error.ts';
import { evaluateCardUse } from '../rules/cards.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { assertCardUsable } from './card-rules.ts';
import type { PlanningContext } from './planning-context.ts';
import { emptyEffect, punchAccount, type LedgerEffect } from './types.ts';
import { keyed, traceLinesOf } from '../rules/short-trace.ts';

/**
 * One visit on a count card or time card: the rules decide (validity first, then punches left); a count
 * card posts −1 on the service's punch account, a time-only card posts nothing (the visit is in the history).
 */
export function planPunchCardUse(tx: TransactionOf<'punch_card_use'>, ctx: PlanningContext): LedgerEffect {
  assertCardUsable(ctx.card, tx.createdAt);
  const serviceCard = (ctx.serviceCards ?? []).find((c) => c.serviceId === tx.serviceId);
  if (!serviceCard) throw new CodedError('PUNCH_CARD_UNKNOWN', `the member has no card for ${tx.serviceId}`, { serviceId: tx.serviceId });
  const evaluation = evaluateCardUse(ctx.bundle, { at: tx.createdAt, serviceId: tx.serviceId, punchesLeft: serviceCard.punches, validUntil: serviceCard.validUntil });
  const effect = emptyEffect(ctx.member.memberId);
  if (evaluation.punchesLeftAfter !== null) effect.postings.push({ account: punchAccount(tx.serviceId), amount: -1 });
  effect.summary.trace = evaluation.trace.map((t) => t.label);
  Object.assign(effect.summary, keyed(traceLinesOf(evaluation.trace)));
  return effect;
}
