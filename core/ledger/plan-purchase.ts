import { CodedError } from '../errors/coded-error.ts';
import { evaluatePurchase, shortTraceRows, traceLinesOf } from '../rules/engine.ts';
import { withAmounts } from '../rules/trace-text.ts';
import { countsTowardTier, purchaseTierPoints } from '../rules/tiers.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { assertCardUsable } from './card-rules.ts';
import { assertMemberPinProof, memberPinRequired } from './member-pin-rules.ts';
import type { PlanningContext } from './planning-context.ts';
import { drawPoints, drawPointsWithShortfall, spendableLots } from './point-lots.ts';
import { creditReferralAwards } from './referral-awards.ts';
import { grantServiceCards } from './service-cards.ts';
import { drawStoredValue, drawStoredValueWithShortfall } from './stored-value.ts';
import { assertTenderAllowed } from './tender-rules.ts';
import { applyCardLimits } from './card-limits.ts';
import { creditLimitOf, drawCredit } from './credit.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

export function planPurchase(tx: TransactionOf<'purchase'>, ctx: PlanningContext): LedgerEffect {
  assertCardUsable(ctx.card, tx.createdAt);
  for (const payment of tx.payments) assertTenderAllowed(ctx.deviceMode, payment.method);
  const { member } = ctx;
  const evaluation = evaluatePurchase(ctx.bundle, {
    at: tx.createdAt,
    storeId: tx.storeId,
    ...(ctx.regionId === undefined ? {} : { regionId: ctx.regionId }),
    member: {
      memberId: member.memberId,
      tier: member.tier,
      cumulativeSpendCents: member.cumulativeSpendCents,
      cumulativePointsEarned: member.cumulativePointsEarned,
      referrerChain: ctx.referrerChain,
      // A visits ladder (tiers.basis visits) moves on the purchases counted before this one.
      ...(member.visits === undefined ? {} : { cumulativeVisits: member.visits }),
      ...(ctx.dailyPoints ? { pointsEarnedToday: ctx.dailyPoints.earnedBefore } : {}),
      // For pointsPayment.minBalance: the points the member could spend before this purchase. Left out for a sale
      // a kiosk already took offline, which is applied whatever the balance now covers (the shortfall below), and
      // for a sale paying nothing in points, which never reads it: a regular member holds a lot per purchase, and
      // reading them all on every sale made the hot path grow with the member's history.
      ...(tx.acceptedOffline === true || !tx.payments.some((p) => p.method === 'points') ? {} : { pointsBalance: spendableLots(ctx.lots, tx.createdAt).reduce((sum, lot) => sum + lot.remaining, 0) }),
    },
    ...(tx.eventIds ? { eventIds: tx.eventIds } : {}),
    lines: tx.lines,
    payments: tx.payments,
  });

  // A cashier named as serving (commission) must be a real one, signed in on this kiosk.
  const servedBy = clerkWhoServed(tx, ctx);
  let cashCents = 0;
  let storedValueCents = 0;
  let creditCents = 0;
  for (const payment of tx.payments) {
    if (payment.method === 'cash') cashCents += payment.amountCents;
    if (payment.method === 'stored_value') storedValueCents += payment.amountCents;
    if (payment.method === 'credit') creditCents += payment.amountCents;
  }
  const pointsValueCents = evaluation.pointsPayment?.valueCents ?? 0;
  const paid = cashCents + storedValueCents + creditCents + pointsValueCents;
  if (paid !== evaluation.totalCents) {
    throw new CodedError('PAYMENT_MISMATCH', `payments add up to ${paid} cents, the basket is ${evaluation.totalCents}`, {
      paidCents: paid,
      totalCents: evaluation.totalCents,
    });
  }

  // Where the chain asks for the member's PIN, a large stored-value payment needs the hub's proof of it.
  if (memberPinRequired(ctx.bundle, storedValueCents, ctx.memberPinAboveCents)) assertMemberPinProof(tx, member.memberId, ctx.memberPinProof);
  const effect = emptyEffect(member.memberId);
  // A sale the kiosk took offline is applied whatever the balance now covers: the rest is owed (shortfall).
  const offline = tx.acceptedOffline === true;
  const value =
    storedValueCents === 0
      ? { postings: [], fromPrincipal: 0, fromBonus: 0, owedCents: 0 }
      : offline
        ? drawStoredValueWithShortfall(member, storedValueCents)
        : { ...drawStoredValue(member, storedValueCents), owedCents: 0 };
  effect.postings.push(...value.postings);
  // 赊账: put on what the member owes, within their limit (core/ledger/credit.ts).
  if (creditCents > 0) effect.postings.push(...drawCredit(ctx.bundle, creditLimitOf(ctx.bundle, member, ctx.card), ctx.creditOwedCents ?? 0, creditCents));

  const pointsPaid = evaluation.pointsPayment?.points ?? 0;
  const drawn =
    pointsPaid === 0
      ? { postings: [], drawn: [], owedPoints: 0 }
      : offline
        ? drawPointsWithShortfall(ctx.lots, pointsPaid, tx.createdAt)
        : { ...drawPoints(ctx.lots, pointsPaid, tx.createdAt), owedPoints: 0 };
  effect.postings.push(...drawn.postings);
  const cardDailySpend = applyCardLimits(ctx, { moneyCents: storedValueCents + creditCents, pointsPaid, acceptedOffline: offline });
  if (cardDailySpend) effect.cardDailySpend = cardDailySpend;
  if (value.owedCents > 0 || drawn.owedPoints > 0) effect.shortfall = { valueCents: value.owedCents, points: drawn.owedPoints };

  let earnedLotId: string | null = null;
  if (evaluation.pointsEarned > 0) {
    earnedLotId = `${tx.id}:earn`;
    effect.newLots.push({ lotId: earnedLotId, earnedAt: tx.createdAt, expiresAt: evaluation.pointsExpireAt });
    effect.postings.push({ account: 'points', amount: evaluation.pointsEarned, lotId: earnedLotId });
  }

  // Referral points on purchases go to the referrers, each into a lot of their own with the same expiry.
  effect.postings.push(
    ...creditReferralAwards(effect, tx.id, tx.createdAt, evaluation.pointsExpireAt, evaluation.referralAwards, { bundle: ctx.bundle, referrers: ctx.referrers }),
  );

  // Count cards and time cards bought in this basket: punches credited, validity extended.
  const cards = grantServiceCards(evaluation.cardGrants, evaluation.cardGrants.length > 0 ? (ctx.serviceCards ?? []) : []);
  effect.postings.push(...cards.postings);
  if (cards.changes.length > 0) effect.serviceCardChanges = cards.changes;

  if (ctx.dailyPoints) effect.dailyPoints = { day: ctx.dailyPoints.day, points: evaluation.pointsEarned };
  effect.memberChanges = {
    ...(evaluation.tierAfter ? { tier: evaluation.tierAfter } : {}),
    cumulativeSpendDeltaCents: evaluation.totalCents - pointsValueCents,
    // What the rules count towards tiers (tiers.countedSources): the lines' points and event bonuses, by default.
    cumulativePointsEarnedDelta: purchaseTierPoints(ctx.bundle, evaluation),
    // Every applied purchase is one visit, whatever paid it and whether a kiosk took it offline: the engine's
    // visits ladder counts it so (upgradeAfterPurchase), and the kiosk that sold it already did.
    visitsDelta: 1,
  };
  effect.purchaseRecord = {
    txId: tx.id,
    memberId: member.memberId,
    lines: evaluation.lines.map((l) => ({ lineNo: l.lineNo, netCents: l.netCents, points: l.points })),
    totalCents: evaluation.totalCents,
    // What was drawn: a refund gives that back; what went on the shortfall accounts stays owed until staff settle it.
    tenders: {
      cashCents,
      storedValueCents: value.fromPrincipal,
      bonusValueCents: value.fromBonus,
      pointsValueCents,
      points: pointsPaid - drawn.owedPoints,
      ...(creditCents > 0 ? { creditCents } : {}),
    },
    lotsConsumed: drawn.drawn,
    earnedLotId,
    refundedLineNos: [],
    ...(servedBy !== null ? { servedBy } : {}),
    ...(cards.records.length > 0 ? { cardGrants: cards.records } : {}),
    ...(countsTowardTier(ctx.bundle, 'purchase') ? {} : { linePointsCounted: false as const }),
    visitCounted: true,
  };
  effect.evaluation = evaluation;
  const rows = shortTraceRows(evaluation);
  const ruleLines = rows.map((row) => withAmounts(row.label, row, 'en'));
  const traceText = traceLinesOf(rows);
  effect.summary = {
    pointsEarned: evaluation.pointsEarned,
    pointsSpent: pointsPaid - drawn.owedPoints,
    valueDeltaCents: 0 - (storedValueCents - value.owedCents), // not -x: a purchase without stored value reports 0, not -0
    trace: servedBy === null && tx.actor !== undefined ? [...ruleLines, `served by ${tx.actor.staffId}: not credited (the staff session did not cover this offline sale)`] : ruleLines,
    ...(traceText.length > 0 ? { traceText } : {}),
  };
  if (tx.claimed) {
    const differences = [
      { field: 'totalCents', claimed: tx.claimed.totalCents, computed: evaluation.totalCents },
      { field: 'pointsEarned', claimed: tx.claimed.pointsEarned, computed: evaluation.pointsEarned },
    ].filter((d) => d.claimed !== d.computed);
    if (differences.length > 0) effect.disagreement = differences;
  }
  return effect;
}

/**
 * The clerk a counter sale names as serving it (staff commission): checked like any staff actor. A sale made while
 * the hub was reachable is refused when the named session does not hold (the kiosk tells the clerk at once); a sale
 * a kiosk already took offline is applied all the same, only not credited to anyone (its trace says so) — a sale
 * is never lost over who gets the commission.
 */
function clerkWhoServed(tx: TransactionOf<'purchase'>, ctx: PlanningContext): string | null {
  if (tx.actor === undefined) return null;
  try {
    return assertStaffMayAct(tx, ctx).staffId;
  } catch (error) {
    if (tx.acceptedOffline === true) return null;
    throw error;
  }
}
