/**
 * The PostgreSQL side of the sweep port (../sweep-store.ts; the SQL of ../sqlite/sweep-reads.ts), moved out of
 * postgres-ledger-store.ts: what the points expiry sweep and tier reviews read to plan, and the tier-review
 * bookkeeping. The transactions they plan are applied by the store like any other HQ transaction.
 */
import type pg from 'pg';
import type { DueLot } from '../../../core/ledger/plan-points-expiry.ts';
import type { TierReviewMember, TierReviewStatus } from '../../../core/ledger/plan-tier-review.ts';
import { TIER_TRACKING_SINCE } from '../sqlite/sweep-reads.ts';
import type { SweepStore } from '../sweep-store.ts';
import type { SyncReads } from './sync-reads.ts';

export class PostgresSweepReads implements SweepStore {
  constructor(
    private readonly pool: pg.Pool,
    /** A read in one read-only snapshot (the store's). */
    private readonly snapshot: <T>(read: (reads: SyncReads) => T) => Promise<T>,
  ) {}

  async dueLots(asOf: string): Promise<DueLot[]> {
    const { rows } = await this.pool.query<{ lot_id: string; member_id: string; remaining: number; expires_at: string }>(
      'SELECT lot_id, member_id, remaining, expires_at FROM point_lots WHERE remaining > 0 AND expires_at IS NOT NULL AND expires_at <= $1 ORDER BY member_id, expires_at, lot_id',
      [asOf],
    );
    return rows.map((r) => ({ lotId: r.lot_id, memberId: r.member_id, remaining: r.remaining, expiresAt: r.expires_at }));
  }

  async tierReviewStatus(periodKey: string): Promise<TierReviewStatus> {
    return this.snapshot((reads) => ({
      reviewed: reads.one('SELECT period_key FROM tier_reviews WHERE period_key = $1', [periodKey]) !== undefined,
      trackingSince: reads.one<{ value: string }>('SELECT value FROM schema_meta WHERE key = $1', [TIER_TRACKING_SINCE])?.value ?? null,
    }));
  }

  async tierReviewMembers(closedPeriodKey: string, currentPeriodKey: string | null): Promise<TierReviewMember[]> {
    const { rows } = await this.pool.query<{
      member_id: string; tier: string; cumulative_spend_cents: number; cumulative_points_earned: number;
      closed_points: number | null; closed_spend: number | null; current_points: number | null; current_spend: number | null;
    }>(
      `SELECT m.member_id, m.tier, m.cumulative_spend_cents, m.cumulative_points_earned,
              c.points_earned AS closed_points, c.spend_cents AS closed_spend, n.points_earned AS current_points, n.spend_cents AS current_spend
       FROM members m
       LEFT JOIN member_period_figures c ON c.member_id = m.member_id AND c.period_key = $1
       LEFT JOIN member_period_figures n ON n.member_id = m.member_id AND n.period_key = $2
       ORDER BY m.member_id`,
      [closedPeriodKey, currentPeriodKey ?? ''],
    );
    return rows.map((r) => ({
      memberId: r.member_id,
      tier: r.tier,
      cumulativeSpendCents: r.cumulative_spend_cents,
      cumulativePointsEarned: r.cumulative_points_earned,
      closed: { pointsEarned: r.closed_points ?? 0, spendCents: r.closed_spend ?? 0 },
      current: { pointsEarned: r.current_points ?? 0, spendCents: r.current_spend ?? 0 },
    }));
  }

  async recordTierReview(review: { periodKey: string; reviewedAt: string; changed: number }): Promise<boolean> {
    const result = await this.pool.query('INSERT INTO tier_reviews (period_key, reviewed_at, changed) VALUES ($1, $2, $3) ON CONFLICT (period_key) DO NOTHING', [
      review.periodKey, review.reviewedAt, review.changed,
    ]);
    return result.rowCount === 1;
  }
}
