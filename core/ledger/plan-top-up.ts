import { evaluateTopUp } from '../rules/engine.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { assertCardUsable } from './card-rules.ts';
import type { PlanningContext } from './planning-context.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { assertTenderAllowed } from './tender-rules.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';
import { keyed, traceLinesOf } from '../rules/short-trace.ts';

export function planTopUp(tx: TransactionOf<'top_up'>, ctx: PlanningContext): LedgerEffect {
  assertStaffMayAct(tx, ctx);
  assertTenderAllowed(ctx.deviceMode, tx.tender);
  assertCardUsable(ctx.card, tx.createdAt);
  const evaluation = evaluateTopUp(ctx.bundle, {
    at: tx.createdAt,
    storeId: tx.storeId,
    ...(ctx.regionId === undefined ? {} : { regionId: ctx.regionId }),
    member: {
      memberId: ctx.member.memberId,
      tier: ctx.member.tier,
      cumulativeSpendCents: ctx.member.cumulativeSpendCents,
      cumulativePointsEarned: ctx.member.cumulativePointsEarned,
    },
    amountCents: tx.amountCents,
    // deposit_ratio capPerDayCents: what the member already got today, as the ledger counted it.
    ...(ctx.depositBonusToday ? { bonusTodayCents: ctx.depositBonusToday.cents } : {}),
  });
  const effect = emptyEffect(ctx.member.memberId);
  effect.postings.push({ account: 'stored_value', amount: tx.amountCents });
  if (evaluation.bonusValueCents > 0) effect.postings.push({ account: 'bonus_value', amount: evaluation.bonusValueCents });
  // Counted whatever rule paid it: a fixed-band bonus in the same bundle uses up the day's cap as well.
  if (ctx.depositBonusToday && evaluation.bonusValueCents > 0) effect.dailyDepositBonus = { day: ctx.depositBonusToday.day, cents: evaluation.bonusValueCents };
  effect.summary = {
    pointsEarned: 0,
    pointsSpent: 0,
    valueDeltaCents: tx.amountCents + evaluation.bonusValueCents,
    trace: evaluation.trace.map((t) => `${t.label}${t.cents !== undefined ? `: ${t.cents}` : ''}`),
    ...keyed(traceLinesOf(evaluation.trace)),
  };
  return effect;
}
