import { CodedError } from '../errors/coded-error.ts';
import { evaluateManualBonus } from '../rules/evaluate-bonus.ts';
import { countedPoints, evaluateTierCredit } from '../rules/tiers.ts';
import { HQ_DEVICE_ID } from '../wire/hq-device.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import type { PlanningContext } from './planning-context.ts';
import { drawPoints } from './point-lots.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';
import type { TraceLine } from '../rules/trace-keys.ts';

/**
 * A manual bonus from HQ with a reason. Only the hub's own device may send one: a kiosk could otherwise mint
 * points with any staff card it has read. The rules check the reason and the limit on the size (a negative
 * correction is held to the same limit as a credit); a credit becomes a lot with the bundle's usual expiry,
 * a correction draws soonest-expiring lots first and is refused with INSUFFICIENT_POINTS when they do not
 * cover it. Where the rules count manual points towards tiers (tiers.countedSources: every source by default in
 * format 2, not in format 1), a credit adds to the member's points figure and runs the upgrade check, and a
 * correction takes its points off the figure again (never below 0; a tier only goes down at a review). The
 * member's card status is not checked: HQ corrects a member's points even while the card is lost or frozen (the
 * points belong to the member and move with a replacement card).
 */
export function planManualBonus(tx: TransactionOf<'manual_bonus'>, ctx: PlanningContext): LedgerEffect {
  if (tx.deviceId !== HQ_DEVICE_ID) {
    throw new CodedError('TX_NOT_ALLOWED_FROM_DEVICE', `manual bonuses are accepted only from ${HQ_DEVICE_ID}, not ${tx.deviceId}`, { deviceId: tx.deviceId });
  }
  assertStaffMayAct(tx, ctx);
  // The rules validate a size; the sign only says credit or correction.
  const evaluation = evaluateManualBonus(ctx.bundle, { at: tx.createdAt, points: Math.abs(tx.points), reason: tx.reason, tier: ctx.member.tier });
  const effect = emptyEffect(ctx.member.memberId);
  const reason = tx.reason.trim();
  if (tx.points > 0) {
    const lotId = `${tx.id}:bonus`;
    effect.newLots.push({ lotId, earnedAt: tx.createdAt, expiresAt: evaluation.pointsExpireAt });
    effect.postings.push({ account: 'points', amount: tx.points, lotId });
    const credit = evaluateTierCredit(ctx.bundle, { member: ctx.member, source: 'manual', points: tx.points });
    effect.memberChanges = { ...(credit.tierAfter ? { tier: credit.tierAfter } : {}), cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: credit.countedPoints };
    const trace = [`manual bonus (${reason}): +${tx.points}`, ...(credit.tierAfter ? [`${ctx.member.tier} → ${credit.tierAfter}`] : [])];
    // Keyed too, so the console and receipts show it in their language (core/rules/trace-text.ts): 手工调整：生日积分 +200.
    const traceText: TraceLine[] = [{ at: 0, key: 'manualBonus', params: { reason }, points: tx.points }, ...(credit.tierAfter ? [{ at: 1, key: 'tierUpgrade', params: { tier: credit.tierAfter } }] : [])];
    effect.summary = { pointsEarned: tx.points, pointsSpent: 0, valueDeltaCents: 0, trace, traceText };
  } else {
    const drawn = drawPoints(ctx.lots, evaluation.points, tx.createdAt);
    effect.postings.push(...drawn.postings);
    const uncounted = Math.min(countedPoints(ctx.bundle, 'manual', evaluation.points), ctx.member.cumulativePointsEarned);
    effect.memberChanges = { cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 0 - uncounted }; // 0 - x: never -0
    effect.summary = { pointsEarned: 0, pointsSpent: evaluation.points, valueDeltaCents: 0, trace: [`manual correction (${reason}): -${evaluation.points}`], traceText: [{ at: 0, key: 'manualBonus', params: { reason }, points: -evaluation.points }] };
  }
  return effect;
}
