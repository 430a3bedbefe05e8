/**
 * Tier review (hourly, and once at start) for rules whose tiers are re-evaluated ("reevaluate" downgrade
 * policy): once the last review period has closed, every member moves to the tier that period earned them.
 * The figures come from the sweep port; the decision and the transactions are planned in
 * core/ledger/plan-tier-review.ts; each change is an HQ transaction of kind tier_review applied through the
 * ledger port like any other. A period is reviewed once (booked in the sweep port after its changes), and only
 * if the ledger tracked it from its first day.
 */
import { decideTierReview, planTierReviews } from '../../core/ledger/plan-tier-review.ts';
import { lastClosedTierPeriod, tierPeriodAt } from '../../core/rules/engine.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import type { SweepStore } from '../ledger/sweep-store.ts';
import { applyHqInChunks } from './apply-hq-in-chunks.ts';

export type TierReviewOutcome =
  | { status: 'nothing_due' }
  | { status: 'already_reviewed'; period: string }
  | { status: 'skipped_not_fully_tracked'; period: string }
  | { status: 'reviewed'; period: string; members: number; changed: number };

export type TierReviewStore = Pick<RulesStore, 'latestRulesBundle'> & Pick<LedgerStore, 'applyHqBatch'> & Pick<SweepStore, 'tierReviewStatus' | 'tierReviewMembers' | 'recordTierReview'>;

export async function reviewTiers(store: TierReviewStore, now: string): Promise<TierReviewOutcome> {
  const bundle = await store.latestRulesBundle();
  const period = bundle ? lastClosedTierPeriod(bundle, now) : null;
  if (!bundle || !period) return { status: 'nothing_due' };
  const decision = decideTierReview(period, await store.tierReviewStatus(period.key));
  if (decision === 'already_reviewed') return { status: 'already_reviewed', period: period.key };
  if (decision === 'skipped_not_fully_tracked') {
    await store.recordTierReview({ periodKey: period.key, reviewedAt: now, changed: -1 });
    return { status: 'skipped_not_fully_tracked', period: period.key };
  }
  const members = await store.tierReviewMembers(period.key, tierPeriodAt(bundle, now)?.key ?? null);
  const results = await applyHqInChunks(store, planTierReviews(bundle, period, members), now);
  const changed = results.filter((r) => r.status === 'applied').length;
  // Booked after the changes: a crash in between reviews the period again, which moves nobody twice (a member
  // already moved has nothing to change, and a stale change is refused).
  await store.recordTierReview({ periodKey: period.key, reviewedAt: now, changed });
  return { status: 'reviewed', period: period.key, members: members.length, changed };
}
