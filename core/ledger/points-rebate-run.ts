/**
 * 积分返点 in the ledger: the bundle's `pointsRebate` runs inside the ledger transaction of the credit that brings
 * the member's spendable points to the threshold — a purchase, a manual bonus credit, a redemption code — and
 * appends its journal entries to that credit's effect. Why there and not in an HQ sweep: the conversion is then
 * exactly-once with the credit (a replayed purchase replays its conversion, a refused one converts nothing), the
 * member's receipt and result show it at once, and no member sits above the threshold between sweeps spending
 * points the chain meant to convert.
 *
 * What it appends: the points drawn from the soonest-expiring lots (as a gift redemption draws them, lots the
 * credit just created included), then either the bonus value credited (`reward: "value"`: spent after principal,
 * never paid out) or the gifts' stock taken as redeem_gift takes it (`reward: "gift"`: the ledger's gifts table,
 * sku = the bundle's giftId; a gift the ledger does not stock converts nothing). The tier that picks the ratio or
 * the gift is the member's tier after the credit (a purchase that lifts a member converts at the new tier).
 *
 * A later refund of the purchase does not undo the conversion: like a refund after a gift redemption, it takes the
 * earned points back from the lots that still hold points and puts what they lack on `shortfall_points`.
 */
import { evaluatePointsRebate } from '../rules/points-rebate.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import type { PlanningContext } from './planning-context.ts';
import { drawPoints, spendableLots } from './point-lots.ts';
import type { LedgerEffect, PointLot } from './types.ts';
import { keyed, traceLinesOf } from '../rules/short-trace.ts';

/** The credits after which the rebate runs (their effects credit the member's own points). */
export type RebateCreditTx = TransactionOf<'purchase' | 'manual_bonus' | 'code_redeem'>;

/** The effect with the conversion appended when the credit brought the balance to the threshold; else unchanged. */
export function withPointsRebate(tx: RebateCreditTx, ctx: PlanningContext, effect: LedgerEffect): LedgerEffect {
  const rebate = ctx.bundle.pointsRebate;
  if (!rebate || !creditsOwnPoints(effect)) return effect;
  const lots = lotsAfter(ctx.lots, effect);
  const pointsBalance = spendableLots(lots, tx.createdAt).reduce((sum, lot) => sum + lot.remaining, 0);
  const tier = effect.memberChanges.tier ?? ctx.member.tier;
  const giftId = rebate.reward === 'gift' ? (rebate.giftIdByTier?.[tier] ?? rebate.giftId) : null;
  const stockLeft = giftId === null ? undefined : (ctx.rebateGifts?.find((g) => g.sku === giftId)?.stock ?? 0);
  const evaluation = evaluatePointsRebate(ctx.bundle, { tier, pointsBalance, ...(stockLeft === undefined ? {} : { stockLeft }) });
  if (evaluation.points === 0) return effect;

  const drawn = drawPoints(lots, evaluation.points, tx.createdAt);
  effect.postings.push(...drawn.postings);
  if (evaluation.valueCents > 0) effect.postings.push({ account: 'bonus_value', amount: evaluation.valueCents });
  const gifts = evaluation.gifts.map((g) => ({ sku: g.giftId, qty: g.qty }));
  for (const g of gifts) effect.giftStockChanges.push({ sku: g.sku, delta: -g.qty });
  effect.pointsRebate = { points: evaluation.points, valueCents: evaluation.valueCents, gifts };
  effect.summary = {
    ...effect.summary,
    pointsSpent: effect.summary.pointsSpent + evaluation.points,
    valueDeltaCents: effect.summary.valueDeltaCents + evaluation.valueCents,
    trace: [...effect.summary.trace, ...evaluation.trace.map((t) => `${t.label}: -${evaluation.points}${t.cents !== undefined ? `, bonus value +${t.cents}` : ''}`)],
    ...keyed([...(effect.summary.traceText ?? []), ...traceLinesOf(evaluation.trace, effect.summary.trace.length)]),
  };
  return effect;
}

/** Whether the effect credits points to its own member (referral awards to referrers do not count here). */
function creditsOwnPoints(effect: LedgerEffect): boolean {
  return effect.postings.some((p) => p.account === 'points' && p.amount > 0 && (p.memberId === undefined || p.memberId === effect.memberId));
}

/** The member's lots as they will stand once the effect's own postings are written (new lots included). */
function lotsAfter(lots: readonly PointLot[], effect: LedgerEffect): PointLot[] {
  const after = new Map(lots.map((lot) => [lot.lotId, { ...lot }]));
  for (const lot of effect.newLots) {
    if ((lot.memberId ?? effect.memberId) === effect.memberId) after.set(lot.lotId, { lotId: lot.lotId, remaining: 0, earnedAt: lot.earnedAt, expiresAt: lot.expiresAt });
  }
  for (const p of effect.postings) {
    if (p.lotId === undefined || (p.memberId ?? effect.memberId) !== effect.memberId) continue;
    const lot = after.get(p.lotId);
    // A lot the context leaves out (drained) and the effect refills is not spendable here: never drawn on.
    if (lot) lot.remaining += p.amount;
  }
  return [...after.values()];
}
