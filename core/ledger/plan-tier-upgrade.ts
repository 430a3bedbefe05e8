import { evaluatePaidUpgrade } from '../rules/engine.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { assertCardUsable } from './card-rules.ts';
import type { PlanningContext } from './planning-context.ts';
import { drawPoints, spendableLots } from './point-lots.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/** A paid upgrade: the member spends points (soonest-expiring first) to move to a higher tier. */
export function planTierUpgrade(tx: TransactionOf<'tier_upgrade'>, ctx: PlanningContext): LedgerEffect {
  assertCardUsable(ctx.card, tx.createdAt);
  const spendable = spendableLots(ctx.lots, tx.createdAt).reduce((sum, lot) => sum + lot.remaining, 0);
  const evaluation = evaluatePaidUpgrade(ctx.bundle, {
    member: {
      memberId: ctx.member.memberId,
      tier: ctx.member.tier,
      cumulativeSpendCents: ctx.member.cumulativeSpendCents,
      cumulativePointsEarned: ctx.member.cumulativePointsEarned,
    },
    pointsBalance: spendable,
    targetTier: tx.targetTier,
  });
  const drawn = drawPoints(ctx.lots, evaluation.points, tx.createdAt);
  const effect = emptyEffect(ctx.member.memberId);
  effect.postings.push(...drawn.postings);
  effect.memberChanges = { tier: evaluation.tierAfter, cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 0 };
  effect.summary = { pointsEarned: 0, pointsSpent: evaluation.points, valueDeltaCents: 0, trace: [`${evaluation.tierBefore} → ${evaluation.tierAfter}: -${evaluation.points}`] };
  return effect;
}
