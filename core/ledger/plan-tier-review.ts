/**
 * Tier review at the end of each period, planned, for rules whose tiers are re-evaluated ("reevaluate"
 * downgrade policy): every member's tier follows what they earned (or spent) in the period that just closed,
 * never below what the period under way already earned them. Three pure steps:
 *
 * - `decideTierReview`: a period is reviewed once, and only if the ledger tracked it from its first day (a
 *   member whose activity before the tracking began is unknown is never downgraded for it);
 * - `planTierReviews`: from each member's figures (read by the ledger's planning reads), one HQ transaction
 *   of kind tier_review per member whose tier changes;
 * - `planTierReview`: applying one of them, the effect — the new tier, no journal entry (no balance moves).
 *   A member whose tier changed after the review was planned is refused (TIER_REVIEW_STALE), so a review
 *   planned twice (two writers, a crash between the changes and the period's bookkeeping) moves nobody twice.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from '../rules/bundle.ts';
import { compileBundle, evaluateTier, type TierPeriod } from '../rules/engine.ts';
import { HQ_DEVICE_ID } from '../wire/hq-device.ts';
import type { HqOnlyTransactionOf } from '../wire/transaction.ts';
import type { MemberPlanningContext } from './planning-context.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/** What the ledger knows of a period's review: whether it was done, and since when it tracks period figures. */
export interface TierReviewStatus {
  reviewed: boolean;
  /** When the ledger began keeping period figures (its first figure under a reviewing bundle); null: never. */
  trackingSince: string | null;
}

/** What one period earned a member. */
export interface PeriodFigures {
  pointsEarned: number;
  spendCents: number;
}

/** One member as a review reads them: their tier and lifetime totals, the closed period's and the current one's figures. */
export interface TierReviewMember {
  memberId: string;
  tier: string;
  cumulativeSpendCents: number;
  cumulativePointsEarned: number;
  closed: PeriodFigures;
  current: PeriodFigures;
}

export type TierReviewDecision = 'already_reviewed' | 'skipped_not_fully_tracked' | 'due';

export interface TierReviewBody {
  kind: 'tier_review';
  storeId: string;
  memberId: string;
  period: string;
  figure: number;
  tierBefore: string;
  tierAfter: string;
}

export function decideTierReview(period: TierPeriod, status: TierReviewStatus): TierReviewDecision {
  if (status.reviewed) return 'already_reviewed';
  if (!status.trackingSince || status.trackingSince > period.start) return 'skipped_not_fully_tracked';
  return 'due';
}

/** One tier_review transaction per member whose tier the closed period changes. */
export function planTierReviews(bundle: RulesBundle, period: TierPeriod, members: readonly TierReviewMember[]): TierReviewBody[] {
  const spendBasis = compileBundle(bundle).tiers?.basis === 'cumulative_spend';
  const figureOf = (figures: PeriodFigures) => (spendBasis ? figures.spendCents : figures.pointsEarned);
  const rank = new Map((bundle.tiers?.ladder ?? []).map((step, index) => [step.tier, index]));
  const bodies: TierReviewBody[] = [];
  for (const m of members) {
    const member = { memberId: m.memberId, tier: m.tier, cumulativeSpendCents: m.cumulativeSpendCents, cumulativePointsEarned: m.cumulativePointsEarned };
    const figure = figureOf(m.closed);
    const closed = evaluateTier(bundle, { member, mode: 'period_end', periodFigure: figure });
    // A member who already qualifies for more in the period under way is not pushed below that by the review.
    const sofar = evaluateTier(bundle, { member, mode: 'period_end', periodFigure: figureOf(m.current) });
    const review = (rank.get(sofar.tierAfter) ?? 0) > (rank.get(closed.tierAfter) ?? 0) ? sofar : closed;
    if (!review.changed) continue;
    bodies.push({ kind: 'tier_review', storeId: HQ_DEVICE_ID, memberId: m.memberId, period: period.key, figure, tierBefore: review.tierBefore, tierAfter: review.tierAfter });
  }
  return bodies;
}

export function planTierReview(tx: HqOnlyTransactionOf<'tier_review'>, ctx: MemberPlanningContext): LedgerEffect {
  if (ctx.member.tier !== tx.tierBefore) {
    throw new CodedError('TIER_REVIEW_STALE', `member ${tx.memberId} is ${ctx.member.tier || "''"} now, not ${tx.tierBefore || "''"} as when the ${tx.period} review was planned`);
  }
  const effect = emptyEffect(ctx.member.memberId);
  effect.memberChanges = { tier: tx.tierAfter, cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 0 };
  effect.summary = { pointsEarned: 0, pointsSpent: 0, valueDeltaCents: 0, trace: [`${tx.period} review: ${tx.figure} → ${tx.tierBefore} to ${tx.tierAfter}`] };
  return effect;
}
