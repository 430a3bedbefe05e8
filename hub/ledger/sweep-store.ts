/**
 * What the HQ sweeps (hub/hq/expire-points.ts, hub/hq/review-tiers.ts) read to plan their transactions, which
 * they then apply through the ledger port like any other HQ transaction. Reads see committed state only; the
 * planners in core/ledger check again, when each transaction is applied, that what they planned still holds.
 */
import type { DueLot } from '../../core/ledger/plan-points-expiry.ts';
import type { TierReviewMember, TierReviewStatus } from '../../core/ledger/plan-tier-review.ts';

export interface SweepStore {
  /** Every points lot that expired by `asOf` and still holds points, by member then expiry. */
  dueLots(asOf: string): Promise<DueLot[]>;
  /** Whether a review period was reviewed, and since when the ledger keeps period figures. */
  tierReviewStatus(periodKey: string): Promise<TierReviewStatus>;
  /** Every member with their figures for the closed period and the one under way (null: none), by member id. */
  tierReviewMembers(closedPeriodKey: string, currentPeriodKey: string | null): Promise<TierReviewMember[]>;
  /**
   * Books a period as reviewed (`changed`: members moved; -1: skipped, not tracked from its first day).
   * Resolves false when it was booked already (another writer reviewed it meanwhile).
   */
  recordTierReview(review: { periodKey: string; reviewedAt: string; changed: number }): Promise<boolean>;
}
