import { describe, expect, it } from 'vitest';
import type { RulesBundle } from '../rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import type { HqOnlyTransactionOf } from '../wire/transaction.ts';
import { planHqOnlyTransaction } from './plan-hq-only-transaction.ts';
import { decideTierReview, planTierReview, planTierReviews, type TierReviewMember } from './plan-tier-review.ts';
import { expectCoded, member, ulid } from './test-support/builders.ts';

/** The default ladder (silver 1000, gold 2001, diamond 6001 points), re-evaluated every calendar month. */
const MONTHLY: RulesBundle = { ...DEFAULT_RULES_BUNDLE, version: 2, tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, downgrade: { policy: 'reevaluate', period: 'month' } } };
const JANUARY = { key: '2027-01', start: '2026-12-31T16:00:00.000Z', end: '2027-01-31T16:00:00.000Z' };

function reviewed(memberId: string, tier: string, closedPoints: number, currentPoints = 0): TierReviewMember {
  return { memberId, tier, cumulativeSpendCents: 0, cumulativePointsEarned: 10_000, closed: { pointsEarned: closedPoints, spendCents: 0 }, current: { pointsEarned: currentPoints, spendCents: 0 } };
}

function reviewTx(o: Partial<{ tierBefore: string; tierAfter: string; deviceId: string }> = {}): HqOnlyTransactionOf<'tier_review'> {
  return {
    v: 2, id: ulid(9_101), deviceId: o.deviceId ?? 'hq', epoch: '', seq: 1, kind: 'tier_review', createdAt: '2027-02-05T00:00:00.000Z', storeId: 'hq', bundleVersion: 2,
    memberId: 'M1', period: '2027-01', figure: 200, tierBefore: o.tierBefore ?? 'diamond', tierAfter: o.tierAfter ?? 'standard',
  };
}

describe('tier review (deciding and planning)', () => {
  it('reviews a period once, and only when the ledger tracked it from its first day', () => {
    expect(decideTierReview(JANUARY, { reviewed: true, trackingSince: '2026-01-01T00:00:00.000Z' })).toBe('already_reviewed');
    expect(decideTierReview(JANUARY, { reviewed: false, trackingSince: null })).toBe('skipped_not_fully_tracked');
    expect(decideTierReview(JANUARY, { reviewed: false, trackingSince: '2027-01-03T00:00:00.000Z' })).toBe('skipped_not_fully_tracked');
    expect(decideTierReview(JANUARY, { reviewed: false, trackingSince: JANUARY.start })).toBe('due');
  });

  it('plans one transaction per member whose tier changes, never below what the period under way earned', () => {
    const bodies = planTierReviews(MONTHLY, JANUARY, [
      reviewed('M1', 'diamond', 200),
      reviewed('M2', 'gold', 2_250),
      reviewed('M3', 'silver', 0, 6_000),
      reviewed('M4', 'standard', 1_500),
    ]);
    expect(bodies).toEqual([
      { kind: 'tier_review', storeId: 'hq', memberId: 'M1', period: '2027-01', figure: 200, tierBefore: 'diamond', tierAfter: 'standard' },
      { kind: 'tier_review', storeId: 'hq', memberId: 'M3', period: '2027-01', figure: 0, tierBefore: 'silver', tierAfter: 'gold' },
      { kind: 'tier_review', storeId: 'hq', memberId: 'M4', period: '2027-01', figure: 1_500, tierBefore: 'standard', tierAfter: 'silver' },
    ]);
  });
});

describe('tier review (applying one)', () => {
  const ctx = (tier: string) => ({ member: member({ tier }), lots: [], bundle: MONTHLY });

  it('moves the member to the reviewed tier, with no journal entry', () => {
    const effect = planTierReview(reviewTx(), ctx('diamond'));
    expect(effect.postings).toEqual([]);
    expect(effect.memberChanges).toEqual({ tier: 'standard', cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 0 });
    expect(effect.summary.trace).toEqual(['2027-01 review: 200 → diamond to standard']);
  });

  it('refuses a review planned against a tier the member no longer has', () => {
    expectCoded(() => planTierReview(reviewTx(), ctx('gold')), 'TIER_REVIEW_STALE');
  });

  it('is made only by HQ: a kiosk is refused', () => {
    expectCoded(() => planHqOnlyTransaction(reviewTx({ deviceId: 'kiosk-1' }), ctx('diamond')), 'TX_NOT_ALLOWED_FROM_DEVICE');
  });
});
