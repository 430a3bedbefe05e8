/**
 * compileBundle turns bundle data into closures and scaled integers once; evaluations reuse the result.
 * Compiled bundles are cached by object identity (a WeakMap), so the hot path never recompiles and a
 * dropped bundle is collected. Bundles are treated as immutable once compiled.
 */
import { POINT_SOURCES, type PointSource, type Rule, type RulesBundle } from './bundle.ts';
import type {
  BaseRateRule,
  CompiledBundle,
  CompiledDiscount,
  CompiledMemberPrice,
  CompiledMultiplier,
  CompiledProductBonus,
  CompiledRuleBase,
  CompiledSettings,
  CompiledStages,
  CompiledTiers,
  Expiry,
  LabelledValue,
  TransactionFacts,
} from './compiled-types.ts';
import { decimalToScaled, SCALE, scaledToDecimal } from './decimal.ts';
import { clockFor } from './local-time.ts';
import { compileScope, compileWindow } from './window.ts';
import { buildLineIndex } from './line-index.ts';
import type { PurchaseLineInput } from './types.ts';

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/** A bundle's format: absent is 1, the meaning every bundle had before formats existed. */
export function formatOf(bundle: Pick<RulesBundle, 'format'>): 1 | 2 {
  return bundle.format ?? 1;
}

/**
 * What format 1 counts towards points tiers: what the first engine added to cumulativePointsEarned (purchase
 * points with their event bonuses, the registration bonus), and sources that came later (codes, draw prizes).
 * Referral and manual points did not count then, and do not in a format 1 bundle.
 */
const FORMAT_1_COUNTED_SOURCES: readonly PointSource[] = POINT_SOURCES.filter((source) => source !== 'referral' && source !== 'manual');

const cache = new WeakMap<RulesBundle, CompiledBundle>();

export function compileBundle(bundle: RulesBundle): CompiledBundle {
  const cached = cache.get(bundle);
  if (cached) return cached;
  const compiled: CompiledBundle = {
    bundle,
    version: bundle.version,
    clock: clockFor(bundle.timezone ?? DEFAULT_TIMEZONE),
    settings: compileSettings(bundle),
    tiers: compileTiers(bundle),
    stages: compileStages(bundle.rules, formatOf(bundle)),
  };
  cache.set(bundle, compiled);
  return compiled;
}

function compileSettings(bundle: RulesBundle): CompiledSettings {
  const points = bundle.points ?? {};
  const factor = points.earnFactorByPayment ?? {};
  const earnFactor = {
    cash: decimalToScaled(factor.cash ?? '1'),
    stored_value: decimalToScaled(factor.stored_value ?? '1'),
    credit: decimalToScaled(factor.credit ?? '1'),
  };
  const payment = bundle.pointsPayment;
  const format = formatOf(bundle);
  return {
    format,
    earnOn: points.earnOn ?? 'after_discount',
    rounding: points.rounding ?? 'floor',
    roundOncePerPurchase: format >= 2,
    countedSources: new Set(bundle.tiers?.countedSources ?? (format >= 2 ? POINT_SOURCES : FORMAT_1_COUNTED_SOURCES)),
    multiplierStacking: points.multiplierStacking ?? 'multiply',
    capPerTransaction: points.caps?.perTransaction ?? null,
    capPerDay: points.caps?.perDay ?? null,
    earnFactor,
    earnFactorsAllOne: earnFactor.cash === SCALE && earnFactor.stored_value === SCALE && earnFactor.credit === SCALE,
    expiry: compileExpiry(points.expiry),
    expiryByTier: new Map(Object.entries(points.expiryByTier ?? {}).map(([tier, expiry]) => [tier, compileExpiry(expiry)])),
    pointsPayment: payment
      ? {
          pointsPerYuan: payment.pointsPerYuan,
          maxShareScaled: decimalToScaled(payment.maxShare ?? '1'),
          minPoints: payment.minPoints ?? 0,
          minBalance: payment.minBalance ?? 0,
          earnsPoints: payment.earnsPoints ?? false,
        }
      : null,
  };
}

function compileExpiry(expiry: NonNullable<RulesBundle['points']>['expiry']): Expiry {
  if (!expiry) return { kind: 'never' };
  switch (expiry.kind) {
    case 'never':
      return { kind: 'never' };
    case 'days':
      return { kind: 'days', days: expiry.days };
    case 'end_of_month':
      return { kind: 'end_of_month', monthsLater: expiry.monthsLater ?? 0 };
    case 'end_of_year':
      return { kind: 'end_of_year', yearsLater: expiry.yearsLater ?? 0 };
  }
}

function compileTiers(bundle: RulesBundle): CompiledTiers | null {
  const tiers = bundle.tiers;
  if (!tiers) return null;
  return {
    ladder: tiers.ladder.map((step) => ({ tier: step.tier, from: step.from, paidOnly: step.paidOnly ?? false })),
    rank: new Map(tiers.ladder.map((step, i) => [step.tier, i])),
    basis: tiers.basis ?? 'points_earned',
    downgrade: tiers.downgrade ?? { policy: 'never' },
    paidUpgrades: (tiers.paidUpgrades ?? []).map((u) => ({ ...u })),
  };
}

function compileStages(rules: Rule[], format: 1 | 2): CompiledStages {
  // Higher priority first; the sort is stable, so equal priorities keep the bundle's order.
  const ordered = rules.map((rule, index) => ({ rule, index })).sort((a, b) => (b.rule.priority ?? 0) - (a.rule.priority ?? 0) || a.index - b.index);
  const all: CompiledRuleBase<Rule['kind']>[] = [];
  const memberPrices: CompiledMemberPrice[] = [];
  const discounts: CompiledDiscount[] = [];
  const baseRates: BaseRateRule[] = [];
  const productBonuses: CompiledProductBonus[] = [];
  const multipliers: CompiledMultiplier[] = [];
  const stages: Omit<CompiledStages, 'all' | 'conditionGroups' | 'memberPrices' | 'discounts' | 'baseRates' | 'productBonuses' | 'multipliers'> = {
    registrationBonuses: [],
    eventBonuses: [],
    referrals: [],
    depositBonuses: [],
  };
  const groups = new ConditionGroups();
  const common = <K extends Rule['kind']>(rule: Rule & { kind: K }, defaultLabel: string, filter: LineFilter | null): CompiledRuleBase<K> => {
    // commonFields copies rule.kind, so the compiled kind is K.
    const compiled = commonFields(rule, defaultLabel, filter, all.length, groups) as CompiledRuleBase<K>;
    all.push(compiled);
    return compiled;
  };
  for (const { rule } of ordered) {
    switch (rule.kind) {
      case 'member_price':
        memberPrices.push({ ...common(rule, 'member price', { skus: Object.keys(rule.prices) }), priceBySku: new Map(Object.entries(rule.prices)) });
        break;
      case 'discount':
        discounts.push({
          ...common(rule, '', rule),
          percentOff: rule.percentOff !== undefined ? labelled(rule.percentOff, rule.label ?? `${rule.percentOff}% off`) : null,
          percentOffByTier: byKey(rule.percentOffByTier, (key, value) => rule.label ?? `${key} ${value}% off`),
        });
        break;
      case 'earn_rate':
        baseRates.push({
          ...common(rule, '', rule),
          rate: rule.rate !== undefined ? labelled(rule.rate, rule.label ?? `${rule.rate} pt/yuan`) : null,
          byTier: byKey(rule.byTier, (key, value) => rule.label ?? `${key} ${value} pt/yuan`),
          byCategory: byKey(rule.byCategory, (key, value) => rule.label ?? `class ${key} ${value} pt/yuan`),
        } satisfies BaseRateRule);
        break;
      case 'spend_bands': {
        const basis = rule.basis ?? 'transaction';
        const prefix = rule.label ?? (basis === 'cumulative' ? 'cumulative band' : 'spend band');
        baseRates.push({
          ...common(rule, prefix, rule),
          basis,
          bandAmount: rule.bandAmount ?? (format >= 2 ? 'bill' : 'earning'),
          mode: rule.mode ?? 'whole',
          bands: rule.bands.map((band) => ({
            upToCents: band.upToCents ?? Number.POSITIVE_INFINITY,
            rate: labelled(band.rate, `${prefix} ${band.rate} pt/yuan`),
          })),
          marginalLabel: `${prefix} (marginal)`,
        } satisfies BaseRateRule);
        break;
      }
      case 'product_bonus': {
        productBonuses.push({
          ...common(rule, '', { skus: rule.skus }),
          extraRate: rule.extraRate !== undefined ? labelled(rule.extraRate, rule.label ?? `+${rule.extraRate} pt/yuan promo`) : null,
          pointsPerUnit: rule.pointsPerUnit ?? 0,
          pointsLabel: rule.label ?? `+${rule.pointsPerUnit ?? 0} pts promo`,
        });
        break;
      }
      case 'multiplier':
        multipliers.push({
          ...common(rule, '', rule),
          factor: rule.factor !== undefined ? labelled(rule.factor, rule.label ?? `×${rule.factor}`) : null,
          byTier: byKey(rule.byTier, (key, value) => rule.label ?? `${key} ×${value}`),
        });
        break;
      case 'registration_bonus':
        stages.registrationBonuses.push({ ...common(rule, `welcome +${rule.points}`, null), points: rule.points });
        break;
      case 'event_bonus':
        stages.eventBonuses.push({ ...common(rule, `event ${rule.eventId} +${rule.points}`, null), eventId: rule.eventId, points: rule.points });
        break;
      case 'referral':
        stages.referrals.push({
          ...common(rule, 'referral', null),
          onRegistration: rule.on.includes('registration'),
          onPurchase: rule.on.includes('purchase'),
          levels: rule.levels.map((level) => ({ points: level.points ?? 0, rateScaled: level.rate !== undefined ? decimalToScaled(level.rate) : 0 })),
        });
        break;
      case 'deposit_bonus':
        stages.depositBonuses.push({ ...common(rule, 'deposit bonus', null), bands: rule.bands.map((b) => ({ ...b })) });
        break;
      case 'deposit_ratio':
        stages.depositBonuses.push({
          ...common(rule, 'deposit bonus', null),
          bands: rule.bands.map((b) => ({ minCents: b.minCents, ratioScaled: decimalToScaled(b.ratio) })),
          capCents: rule.capCents ?? null,
          capPerDayCents: rule.capPerDayCents ?? null,
        });
        break;
    }
  }
  // Object spreads above copied each compiled rule; the mask is indexed by ordinal, so keep the final objects.
  const finals = [...memberPrices, ...discounts, ...baseRates, ...productBonuses, ...multipliers, ...stages.registrationBonuses, ...stages.eventBonuses, ...stages.referrals, ...stages.depositBonuses];
  for (const rule of finals) all[rule.ordinal] = rule;
  const filterOf = (rule: CompiledRuleBase<Rule['kind']>) => ({ categories: rule.categories, skus: rule.skus });
  // An unfiltered per-category earn rate can only give a rate to its categories: index it by them.
  const rateFilterOf = (rule: BaseRateRule) =>
    rule.kind === 'earn_rate' && rule.byCategory !== null && rule.categories === null && rule.skus === null
      ? { categories: [...rule.byCategory.keys()], skus: null }
      : filterOf(rule);
  return {
    ...stages,
    all,
    conditionGroups: groups.predicates,
    memberPrices: buildLineIndex(memberPrices, filterOf),
    discounts: buildLineIndex(discounts, filterOf),
    baseRates: buildLineIndex(baseRates, rateFilterOf),
    productBonuses: buildLineIndex(productBonuses, filterOf),
    multipliers: buildLineIndex(multipliers, filterOf),
  };
}

interface LineFilter {
  categories?: string[] | undefined;
  skus?: string[] | undefined;
}

/** Deduplicates transaction-level conditions by their JSON, so equal conditions compile to one predicate. */
class ConditionGroups {
  readonly predicates: ((facts: TransactionFacts) => boolean)[] = [];
  private readonly indexByKey = new Map<string, number>();

  groupOf(rule: Rule): number {
    const key = JSON.stringify([rule.enabled ?? true, rule.tiers ?? null, rule.scope ?? null, rule.window ?? null]);
    let index = this.indexByKey.get(key);
    if (index === undefined) {
      index = this.predicates.length;
      this.predicates.push(compileTransactionPredicate(rule));
      this.indexByKey.set(key, index);
    }
    return index;
  }
}

function commonFields(rule: Rule, defaultLabel: string, lineFilter: LineFilter | null, ordinal: number, groups: ConditionGroups): CompiledRuleBase<Rule['kind']> {
  const conditionGroup = groups.groupOf(rule);
  return {
    conditionGroup,
    kind: rule.kind,
    id: rule.id,
    ordinal,
    needsLineCheck: lineFilter !== null,
    categories: lineFilter?.categories ?? null,
    skus: lineFilter?.skus ?? null,
    label: rule.label ?? defaultLabel,
    stop: rule.stop ?? false,
    appliesTo: groups.predicates[conditionGroup]!,
    matchesLine: lineFilter ? compileLineFilter(lineFilter) : null,
  };
}

function compileTransactionPredicate(rule: Rule): (facts: TransactionFacts) => boolean {
  if (rule.enabled === false) return () => false;
  const tiers = rule.tiers ? new Set(rule.tiers) : null;
  const inScope = rule.scope ? compileScope(rule.scope) : null;
  const inWindow = rule.window ? compileWindow(rule.window) : null;
  return (facts) => (tiers === null || tiers.has(facts.tier)) && (inScope === null || inScope(facts)) && (inWindow === null || inWindow(facts.local));
}

function compileLineFilter(filter: LineFilter): ((line: PurchaseLineInput) => boolean) | null {
  const categories = filter.categories ? new Set(filter.categories) : null;
  const skus = filter.skus ? new Set(filter.skus) : null;
  if (!categories && !skus) return null;
  return (line) => (categories !== null && categories.has(line.category)) || (skus !== null && skus.has(line.sku));
}

function labelled(decimal: string, label: string): LabelledValue {
  return { scaled: decimalToScaled(decimal), label };
}

function byKey(map: Record<string, string> | undefined, labelOf: (key: string, value: string) => string): Map<string, LabelledValue> | null {
  if (!map) return null;
  return new Map(Object.entries(map).map(([key, value]) => [key, labelled(value, labelOf(key, scaledToDecimal(decimalToScaled(value))))]));
}
