/**
 * Tiers: automatic upgrade by thresholds on points earned or cumulative spend, paid upgrades with points,
 * and the downgrade policy (never, or re-evaluate at each period end on that period's figure). Which points
 * count towards a points threshold is the bundle's `tiers.countedSources`; every credit of a counted source
 * runs the upgrade check (evaluateTierCredit), not only purchases.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { PointSource, RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import type { CompiledTiers } from './compiled-types.ts';
import type { MemberContext, PurchaseEvaluation, TraceEntry } from './types.ts';
import { traceText } from './trace-text.ts';

/**
 * The highest ladder tier whose threshold the figure reaches (figure in points, cents or visits, per the basis).
 * A paid-only tier is never reached by its threshold: only a paid upgrade gets there.
 */
export function tierForFigure(tiers: CompiledTiers, figure: number): string {
  let tier = tiers.ladder[0]!.tier;
  for (const step of tiers.ladder) if (!step.paidOnly && figure >= step.from) tier = step.tier;
  return tier;
}

/** The member's lifetime figure for the ladder's basis, before the transaction (also what tier progress shows, tier-progress.ts). */
export function lifetimeFigure(tiers: CompiledTiers, member: MemberContext): number {
  switch (tiers.basis) {
    case 'points_earned':
      return member.cumulativePointsEarned;
    case 'cumulative_spend':
      return member.cumulativeSpendCents;
    case 'visits':
      return member.cumulativeVisits ?? 0;
  }
}

/** Rank in the ladder; a tier the ladder does not know ranks below the entry tier. */
export function tierRank(tiers: CompiledTiers, tier: string): number {
  return tiers.rank.get(tier) ?? -1;
}

/**
 * After a purchase: the tier reached, if higher than the member's (purchases only ever upgrade). Points count
 * what the bundle's `tiers.countedSources` counts of the purchase (tierPoints); spend counts what was paid with
 * money (the total minus the points-paid part), as the ledger adds to cumulative spend.
 */
export function upgradeAfterPurchase(tiers: CompiledTiers | null, member: MemberContext, tierPoints: number, spendCents: number): string | null {
  if (!tiers) return null;
  // A purchase is one visit.
  const added = tiers.basis === 'points_earned' ? tierPoints : tiers.basis === 'cumulative_spend' ? spendCents : 1;
  return upgradeTo(tiers, member.tier, lifetimeFigure(tiers, member) + added);
}

/** The ladder tier the figure reaches, if higher than `tier`; null otherwise. */
function upgradeTo(tiers: CompiledTiers, tier: string, figure: number): string | null {
  const reached = tierForFigure(tiers, figure);
  return tierRank(tiers, reached) > tierRank(tiers, tier) ? reached : null;
}

/**
 * The points of a credit that count towards the member's points figure (members.cumulativePointsEarned, and
 * the period figure of tier reviews): all of them when the bundle's `tiers.countedSources` names the source
 * (every source by default in format 2; all but referral and manual in format 1), else none. A bundle
 * without tiers counts by its format's default, so the figure is ready for a ladder added later.
 */
export function countedPoints(bundle: RulesBundle, source: PointSource, points: number): number {
  return countsTowardTier(bundle, source) ? points : 0;
}

/** Whether the bundle counts points of this source towards the member's points figure. */
export function countsTowardTier(bundle: RulesBundle, source: PointSource): boolean {
  return compileBundle(bundle).settings.countedSources.has(source);
}

/** What a purchase evaluation adds to the points figure: its line points and its event bonuses, as counted. */
export function purchaseTierPoints(bundle: RulesBundle, evaluation: Pick<PurchaseEvaluation, 'lines' | 'bonuses'>): number {
  let linePoints = 0;
  for (const line of evaluation.lines) linePoints += line.points;
  let bonusPoints = 0;
  for (const bonus of evaluation.bonuses) bonusPoints += bonus.points;
  return countedPoints(bundle, 'purchase', linePoints) + countedPoints(bundle, 'event', bonusPoints);
}

export interface TierCreditContext {
  member: MemberContext;
  /** Where the points come from (bundle `tiers.countedSources`). */
  source: PointSource;
  /** Points credited (a positive whole number; a correction's negative points never change a tier). */
  points: number;
}

export interface TierCreditEvaluation {
  /** Points added to the member's points figure (0 when the source does not count). */
  countedPoints: number;
  /** The tier the credit lifts the member to, if it changes (credits only ever upgrade). */
  tierAfter: string | null;
  trace: TraceEntry[];
}

/**
 * The upgrade check every points credit runs (a referrer's referral award, a registration, event or manual
 * bonus): the counted points are added to the member's points figure and the tier follows the ladder up.
 * A referrer at 941 points with 100 referral points reaches 1041 ≥ 1000: silver. Tiers by cumulative spend
 * are not moved by points.
 */
export function evaluateTierCredit(bundle: RulesBundle, ctx: TierCreditContext): TierCreditEvaluation {
  if (!Number.isSafeInteger(ctx.points)) throw new CodedError('MONEY_NOT_INTEGER', 'credited points must be whole points');
  const counted = countedPoints(bundle, ctx.source, ctx.points);
  const tiers = compileBundle(bundle).tiers;
  const trace: TraceEntry[] = [];
  if (counted !== 0) trace.push({ ruleId: 'tiers.countedSources', ...traceText('tierCounted', { source: ctx.source }), points: counted });
  const tierAfter = tiers && tiers.basis === 'points_earned' && counted > 0 ? upgradeTo(tiers, ctx.member.tier, ctx.member.cumulativePointsEarned + counted) : null;
  if (tierAfter !== null) trace.push({ ruleId: 'tiers', ...traceText('tierUpgrade', { tier: tierAfter }) });
  return { countedPoints: counted, tierAfter, trace };
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
  const lifetime = lifetimeFigure(tiers, ctx.member);
  let after = before;
  let said = { label: '' } as ReturnType<typeof traceText>;
  if (ctx.mode === 'period_end' && tiers.downgrade.policy === 'reevaluate') {
    if (ctx.periodFigure === undefined) throw new CodedError('TX_INVALID', 'period_end tier evaluation needs periodFigure');
    after = tierForFigure(tiers, ctx.periodFigure);
    // A bought (paid-only) tier is not taken away by a review; only a higher tier the figure reaches replaces it.
    if (tiers.ladder[tierRank(tiers, before)]?.paidOnly === true && tierRank(tiers, after) < tierRank(tiers, before)) after = before;
    said = traceText('tierReview', { period: tiers.downgrade.period, figure: ctx.periodFigure, tier: after });
  } else {
    const reached = tierForFigure(tiers, lifetime);
    if (tierRank(tiers, reached) > tierRank(tiers, before)) after = reached;
    said = traceText('tierThreshold', { figure: lifetime, tier: after });
  }
  const changed = after !== before;
  return { tierBefore: before, tierAfter: after, changed, trace: changed ? [{ ruleId: 'tiers', ...said }] : [] };
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
    trace: [{ ruleId: 'tiers.paidUpgrades', ...traceText('paidUpgrade', { from: offer.from, to: offer.to, points: offer.points }), points: -offer.points }],
  };
}
