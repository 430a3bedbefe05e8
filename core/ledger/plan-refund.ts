import { CodedError } from '../errors/coded-error.ts';
import { mulDivFloor } from '../money/integers.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import type { PlanningContext } from './planning-context.ts';
import { takeBackPoints } from './point-lots.ts';
import { takeBackServiceCards } from './service-cards.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { emptyEffect, type LedgerEffect, type PointLot, type PurchaseRecord } from './types.ts';

/**
 * Refunds named lines of an earlier purchase. Each tender gets back its share of the refunded value;
 * shares are computed cumulatively (what all refunds so far owe minus what earlier refunds gave), so once
 * every line is refunded every tender is back to the cent, with no rounding drift. Points that paid go back
 * to the very lots they were drawn from; earned points are reversed line by line. The credit share (赊账) takes
 * down what the member owes; where they have repaid so much that less is owed than that share, the rest is
 * paid back to their principal stored value (they paid it, in cash or from stored value, when they repaid).
 */
export function planRefund(tx: TransactionOf<'refund'>, ctx: PlanningContext): LedgerEffect {
  assertStaffMayAct(tx, ctx);
  const purchase = ctx.purchase;
  if (!purchase || purchase.memberId !== ctx.member.memberId) {
    throw new CodedError('REFUND_UNKNOWN_PURCHASE', `no purchase ${tx.purchaseTxId} for this member`);
  }
  const wanted = new Set(tx.lineNos);
  if (wanted.size !== tx.lineNos.length) throw new CodedError('REFUND_BAD_LINES', 'a line is named twice');
  const lines = purchase.lines.filter((l) => wanted.has(l.lineNo));
  const alreadyRefunded = new Set(purchase.refundedLineNos);
  if (lines.length !== wanted.size || lines.some((l) => alreadyRefunded.has(l.lineNo))) {
    throw new CodedError('REFUND_BAD_LINES', 'refund names lines that are not in the purchase or were already refunded', {
      refundedLineNos: purchase.refundedLineNos,
    });
  }

  const before = sumNet(purchase.lines.filter((l) => alreadyRefunded.has(l.lineNo)));
  const after = before + sumNet(lines);
  const share = (total: number) => cumulativeShare(total, before, after, purchase.totalCents);
  const storedValueBack = share(purchase.tenders.storedValueCents);
  const bonusValueBack = share(purchase.tenders.bonusValueCents);
  const pointsBack = share(purchase.tenders.points);
  const pointsEarnedBack = lines.reduce((sum, l) => sum + l.points, 0);
  const creditBack = share(purchase.tenders.creditCents ?? 0);
  // Unknown owed (a planner without the hub's figure) is read as "all of it still owed": the hub decides with its own.
  const creditOff = Math.min(creditBack, Math.max(ctx.creditOwedCents ?? creditBack, 0));
  const repaidBack = creditBack - creditOff;

  const effect = emptyEffect(ctx.member.memberId);
  if (storedValueBack + repaidBack > 0) effect.postings.push({ account: 'stored_value', amount: storedValueBack + repaidBack });
  if (creditOff > 0) effect.postings.push({ account: 'credit', amount: -creditOff });
  if (bonusValueBack > 0) effect.postings.push({ account: 'bonus_value', amount: bonusValueBack });
  const restored = restoreToLots(purchase, share(purchase.tenders.points) === 0 ? 0 : cumulativeCount(purchase.tenders.points, before, purchase.totalCents), pointsBack);
  effect.postings.push(...restored);

  if (pointsEarnedBack > 0) {
    // Take back from the lots as they stand after this refund's own restores, so points it gives back can
    // cover the earned points it reverses instead of being called owed.
    const taken = takeBackPoints(lotsAfterRestore(ctx.lots, restored), pointsEarnedBack, purchase.earnedLotId);
    effect.postings.push(...taken.postings);
    if (taken.owed > 0) effect.postings.push({ account: 'shortfall_points', amount: taken.owed });
  }
  // Count cards sold on the refunded lines: their remaining punches come back, used visits stay used.
  const cardRecords = (purchase.cardGrants ?? []).filter((g) => wanted.has(g.lineNo));
  const cards = takeBackServiceCards(cardRecords, cardRecords.length > 0 ? (ctx.serviceCards ?? []) : [], tx.createdAt);
  effect.postings.push(...cards.postings);
  if (cards.changes.length > 0) effect.serviceCardChanges = cards.changes;

  effect.memberChanges = {
    cumulativeSpendDeltaCents: -(share(purchase.totalCents) - share(purchase.tenders.pointsValueCents)),
    // The lines' points leave the member's points figure only if they were counted into it (PurchaseRecord).
    cumulativePointsEarnedDelta: purchase.linePointsCounted === false ? 0 : -pointsEarnedBack,
    // The refund of the purchase's last line undoes the visit it counted (the tier stays: only a review lowers one).
    ...(purchase.visitCounted === true && alreadyRefunded.size + lines.length === purchase.lines.length ? { visitsDelta: -1 } : {}),
  };
  effect.refundOf = { purchaseTxId: purchase.txId, lineNos: lines.map((l) => l.lineNo) };
  effect.summary = {
    pointsEarned: -pointsEarnedBack,
    pointsSpent: -pointsBack,
    valueDeltaCents: storedValueBack + repaidBack + bonusValueBack,
    trace: [
      `refund of lines ${lines.map((l) => l.lineNo).join(', ')}: cash ${share(purchase.tenders.cashCents)}, value ${storedValueBack + bonusValueBack}, points ${pointsBack}`,
      ...(creditBack > 0 ? [`credit ${creditBack}: ${creditOff} off what is owed${repaidBack > 0 ? `, ${repaidBack} already repaid back to stored value` : ''}`] : []),
      ...(cardRecords.some((r) => r.punches !== null) ? [`count card: ${cards.punchesBack} visits taken back, ${cards.punchesUsed} already used`] : []),
    ],
  };
  return effect;
}

function sumNet(lines: PurchaseRecord['lines']): number {
  return lines.reduce((sum, l) => sum + l.netCents, 0);
}

/** total × after/all − total × before/all, each floored: telescopes to exactly `total` over all refunds. */
function cumulativeShare(total: number, before: number, after: number, all: number): number {
  if (all === 0) return 0;
  return cumulativeCount(total, after, all) - cumulativeCount(total, before, all);
}

function cumulativeCount(total: number, part: number, all: number): number {
  return all === 0 ? 0 : mulDivFloor(total, part, all);
}

/**
 * The lots with the restored points added. A lot the purchase drained is absent from the context (it holds
 * nothing): it comes back with what is restored to it, its expiry unknown here, so it is taken from last.
 */
function lotsAfterRestore(lots: readonly PointLot[], restored: readonly { amount: number; lotId: string }[]): PointLot[] {
  const after = new Map(lots.map((lot) => [lot.lotId, { ...lot }]));
  for (const r of restored) {
    const lot = after.get(r.lotId);
    if (lot) lot.remaining += r.amount;
    else after.set(r.lotId, { lotId: r.lotId, remaining: r.amount, earnedAt: '', expiresAt: null });
  }
  return [...after.values()];
}

/** Gives back points [from, from + count) of the draw sequence, each to the lot it was drawn from. */
function restoreToLots(purchase: PurchaseRecord, from: number, count: number): { account: 'points'; amount: number; lotId: string }[] {
  const postings: { account: 'points'; amount: number; lotId: string }[] = [];
  let position = 0;
  const end = from + count;
  for (const drawn of purchase.lotsConsumed) {
    const start = Math.max(position, from);
    const stop = Math.min(position + drawn.points, end);
    if (stop > start) postings.push({ account: 'points', amount: stop - start, lotId: drawn.lotId });
    position += drawn.points;
  }
  return postings;
}
