/**
 * How far a member is from the next tier, as the rules' own upgrade check sees it — for the member screen, at the
 * hub (the member view) and on a kiosk from a cached view (the view carries the figures, `tierFigures`).
 *
 * - `have`/`need`: the member's lifetime figure for the ladder's basis (what upgradeAfterPurchase and
 *   evaluateTierCredit compare: points counted towards tiers, spend paid in money in cents, or purchases made) and
 *   the next tier's threshold. The upgrade happens at the first counted credit or purchase that reaches `need`.
 * - `next`: the next ladder tier above the member's that a figure can reach; a paid-only tier is skipped (only a
 *   paid upgrade gets there: the catalogue offers those). null at the top: `need` is then `have` (nothing to reach).
 * - `by`: under a `reevaluate` policy, the end of the review period under way (its first instant after, ISO UTC),
 *   when the review sets the tier from that period's figure (`periodHave`); null when tiers are never reviewed. The
 *   upgrade itself never waits for it.
 *
 * No tiers in the rules: null.
 */
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import type { CompiledTiers } from './compiled-types.ts';
import { tierPeriodAt } from './tier-period.ts';
import { lifetimeFigure, tierRank } from './tiers.ts';

/** A member's figures the tiers count, as the ledger keeps them (members row; member_period_figures for reviews). */
export interface TierFigures {
  pointsEarned: number;
  spendCents: number;
  visits: number;
  /** The review period under way when the figures were read, and what it counted so far; null: no reviews. */
  period: { key: string; pointsEarned: number; spendCents: number } | null;
}

/** The unit of `have` and `need`: whole points, integer cents, or purchases. */
export type TierMetric = 'points' | 'spend_cents' | 'visits';

export interface TierProgress {
  current: string;
  next: string | null;
  metric: TierMetric;
  have: number;
  need: number;
  by: string | null;
  /** Under a review policy: the period's figure so far, which the review at `by` applies to the ladder; else null. */
  periodHave: number | null;
}

const METRIC_OF: Record<CompiledTiers['basis'], TierMetric> = { points_earned: 'points', cumulative_spend: 'spend_cents', visits: 'visits' };

/**
 * The progress of a member in tier `tier` with `figures`, under `bundle`, at `now` (ISO). Figures read in an
 * earlier review period (a kiosk's cached view after the period turned) count 0 for the period now under way.
 */
export function tierProgress(bundle: RulesBundle, member: { tier: string; figures: TierFigures }, now: string): TierProgress | null {
  const tiers = compileBundle(bundle).tiers;
  if (!tiers) return null;
  const { figures } = member;
  const have = lifetimeFigure(tiers, {
    memberId: '',
    tier: member.tier,
    cumulativePointsEarned: figures.pointsEarned,
    cumulativeSpendCents: figures.spendCents,
    cumulativeVisits: figures.visits,
  });
  const rank = tierRank(tiers, member.tier);
  const next = tiers.ladder.find((step, index) => index > rank && !step.paidOnly) ?? null;
  const period = tierPeriodAt(bundle, now);
  let periodHave: number | null = null;
  if (period) {
    const counted = figures.period?.key === period.key ? figures.period : null;
    periodHave = counted === null ? 0 : tiers.basis === 'cumulative_spend' ? counted.spendCents : counted.pointsEarned;
  }
  return {
    current: member.tier,
    next: next?.tier ?? null,
    metric: METRIC_OF[tiers.basis],
    have,
    need: next ? next.from : have,
    by: period?.end ?? null,
    periodHave,
  };
}
