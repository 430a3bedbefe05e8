/**
 * Tiers: automatic upgrade by thresholds on points earned or cumulative spend, paid upgrades with points,
 * and the downgrade policy (never, or re-evaluate at each period end on that period's figure).
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import type { CompiledTiers } from './compiled-types.ts';
import type { MemberContext, TraceEntry } from './types.ts';

/** The highest ladder tier whose threshold the figure reaches (figure in points or cents, per the basis). */
export function tierForFigure(tiers: CompiledTiers, figure: number): string {
  let tier = tiers.ladder[0]!.tier;
  for (const step of tiers.ladder) if (figure >= step.from) tier = step.tier;
  return tier;
}

/** Rank in the ladder; a tier the ladder does not know ranks below the entry tier. */
export function tierRank(tiers: CompiledTiers, tier: string): number {
  return tiers.rank.get(tier) ?? -1;
}

/**
 * After a purchase: the tier reached, if higher than the member's (purchases only ever upgrade). Spend counts
 * what was paid with money (the total minus the points-paid part), as the ledger adds to cumulative spend.
 */
export function upgradeAfterPurchase(tiers: CompiledTiers | null, member: MemberContext, pointsEarned: number, spendCents: number): string | null {
  if (!tiers) return null;
  const figure = tiers.basis === 'points_earned' ? member.cumulativePointsEarned + pointsEarned : member.cumulativeSpendCents + spendCents;
  const reached = tierForFigure(tiers, figure);
  return tierRank(tiers, reached) > tierRank(tiers, member.tier) ? reached : null;
}

export interface TierContext {
  member: MemberContext;
  /**
   * 'now': apply thresholds to the lifetime figures (upgrade only).
   * 'period_end': the period closed; with downgrade policy reevaluate the tier follows the period's figure.
   */
  mode: 'now' | 'period_end';
  /** The closed period's points earned (or spend in cents, per the basis); needed for period_end. */
  periodFigure?: number;
}

export interface TierEvaluation {
  tierBefore: string;
  tierAfter: string;
  changed: boolean;
  trace: TraceEntry[];
}

export function evaluateTier(bundle: RulesBundle, ctx: TierContext): TierEvaluation {
  const tiers = compileBundle(bundle).tiers;
  const before = ctx.member.tier;
  if (!tiers) return { tierBefore: before, tierAfter: before, changed: false, trace: [] };
  const lifetime = tiers.basis === 'points_earned' ? ctx.member.cumulativePointsEarned : ctx.member.cumulativeSpendCents;
  let after = before;
  let label = '';
  if (ctx.mode === 'period_end' && tiers.downgrade.policy === 'reevaluate') {
    if (ctx.periodFigure === undefined) throw new CodedError('TX_INVALID', 'period_end tier evaluation needs periodFigure');
    after = tierForFigure(tiers, ctx.periodFigure);
    label = `${tiers.downgrade.period} review ${ctx.periodFigure} → ${after}`;
  } else {
    const reached = tierForFigure(tiers, lifetime);
    if (tierRank(tiers, reached) > tierRank(tiers, before)) after = reached;
    label = `threshold ${lifetime} → ${after}`;
  }
  const changed = after !== before;
  return { tierBefore: before, tierAfter: after, changed, trace: changed ? [{ ruleId: 'tiers', label }] : [] };
}

export interface PaidUpgradeContext {
  member: MemberContext;
  /** The member's spendable points now. */
  pointsBalance: number;
  targetTier: string;
}

export interface PaidUpgradeEvaluation {
  tierBefore: string;
  tierAfter: string;
  /** Points to deduct (soonest-expiring lots first: the ledger's job). */
  points: number;
  trace: TraceEntry[];
}

/** silver → gold for 1000 points. Throws PAID_UPGRADE_UNKNOWN when no such upgrade is offered, INSUFFICIENT_POINTS when short. */
export function evaluatePaidUpgrade(bundle: RulesBundle, ctx: PaidUpgradeContext): PaidUpgradeEvaluation {
  const tiers = compileBundle(bundle).tiers;
  const offer = tiers?.paidUpgrades.find((u) => u.from === ctx.member.tier && u.to === ctx.targetTier);
  if (!offer) {
    throw new CodedError('PAID_UPGRADE_UNKNOWN', `no paid upgrade from '${ctx.member.tier}' to '${ctx.targetTier}' in rules version ${bundle.version}`, {
      reason: 'no_such_upgrade',
    });
  }
  if (ctx.pointsBalance < offer.points) {
    throw new CodedError('INSUFFICIENT_POINTS', `the upgrade costs ${offer.points} points, the member has ${ctx.pointsBalance}`);
  }
  return {
    tierBefore: offer.from,
    tierAfter: offer.to,
    points: offer.points,
    trace: [{ ruleId: 'tiers.paidUpgrades', label: `${offer.from} → ${offer.to} for ${offer.points} pts`, points: -offer.points }],
  };
}
