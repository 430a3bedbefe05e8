/**
 * The SQLite side of the sweep port (../sweep-store.ts): what the points expiry sweep and tier reviews read to
 * plan, and the tier-review bookkeeping. The transactions they plan are applied by the store like any other.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { DueLot } from '../../../core/ledger/plan-points-expiry.ts';
import type { TierReviewMember, TierReviewStatus } from '../../../core/ledger/plan-tier-review.ts';

/** schema_meta key: when the ledger first kept a period figure (written by the write port). */
export const TIER_TRACKING_SINCE = 'tier_tracking_since';

export interface SweepReads {
  dueLots(asOf: string): DueLot[];
  tierReviewStatus(periodKey: string): TierReviewStatus;
  tierReviewMembers(closedPeriodKey: string, currentPeriodKey: string | null): TierReviewMember[];
  recordTierReview(review: { periodKey: string; reviewedAt: string; changed: number }): boolean;
}

interface MemberFiguresRow {
  member_id: string;
  tier: string;
  cumulative_spend_cents: number;
  cumulative_points_earned: number;
  closed_points: number | null;
  closed_spend: number | null;
  current_points: number | null;
  current_spend: number | null;
}

export function createSweepReads(db: Database): SweepReads {
  const dueLots: Statement<[string], { lot_id: string; member_id: string; remaining: number; expires_at: string }> = db.prepare(
    'SELECT lot_id, member_id, remaining, expires_at FROM point_lots WHERE remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY member_id, expires_at, lot_id',
  );
  const reviewed = db.prepare<[string], { period_key: string }>('SELECT period_key FROM tier_reviews WHERE period_key = ?');
  const meta = db.prepare<[string], { value: string }>('SELECT value FROM schema_meta WHERE key = ?');
  const members = db.prepare<[string, string], MemberFiguresRow>(
    `SELECT m.member_id, m.tier, m.cumulative_spend_cents, m.cumulative_points_earned,
            c.points_earned AS closed_points, c.spend_cents AS closed_spend, n.points_earned AS current_points, n.spend_cents AS current_spend
     FROM members m
     LEFT JOIN member_period_figures c ON c.member_id = m.member_id AND c.period_key = ?
     LEFT JOIN member_period_figures n ON n.member_id = m.member_id AND n.period_key = ?
     ORDER BY m.member_id`,
  );
  const recordReview = db.prepare<[string, string, number]>('INSERT OR IGNORE INTO tier_reviews (period_key, reviewed_at, changed) VALUES (?, ?, ?)');

  return {
    dueLots: (asOf) => dueLots.all(asOf).map((r) => ({ lotId: r.lot_id, memberId: r.member_id, remaining: r.remaining, expiresAt: r.expires_at })),
    tierReviewStatus: (periodKey) => ({ reviewed: reviewed.get(periodKey) !== undefined, trackingSince: meta.get(TIER_TRACKING_SINCE)?.value ?? null }),
    tierReviewMembers: (closedPeriodKey, currentPeriodKey) =>
      // A period key is never '': with no period under way the second join matches nothing.
      members.all(closedPeriodKey, currentPeriodKey ?? '').map((r) => ({
        memberId: r.member_id,
        tier: r.tier,
        cumulativeSpendCents: r.cumulative_spend_cents,
        cumulativePointsEarned: r.cumulative_points_earned,
        closed: { pointsEarned: r.closed_points ?? 0, spendCents: r.closed_spend ?? 0 },
        current: { pointsEarned: r.current_points ?? 0, spendCents: r.current_spend ?? 0 },
      })),
    recordTierReview: (review) => recordReview.run(review.periodKey, review.reviewedAt, review.changed).changes === 1,
  };
}
