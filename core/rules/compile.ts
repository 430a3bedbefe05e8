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
import type { TraceKey, TraceParams, TraceText } from './trace-keys.ts';
import { traceText } from './trace-text.ts';
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
  const common = <K extends Rule['kind']>(rule: Rule & { kind: K }, defaultLabel: DefaultLabel, filter: LineFilter | null): CompiledRuleBase<K> => {
    // commonFields copies rule.kind, so the compiled kind is K.
    const compiled = commonFields(rule, defaultLabel, filter, all.length, groups) as CompiledRuleBase<K>;
    all.push(compiled);
    return compiled;
  };
  for (const { rule } of ordered) {
    switch (rule.kind) {
      case 'member_price':
        memberPrices.push({ ...common(rule, traceText('memberPrice'), { skus: Object.keys(rule.prices) }), priceBySku: new Map(Object.entries(rule.prices)) });
        break;
      case 'discount':
        discounts.push({
          ...common(rule, NO_LABEL, rule),
          percentOff: rule.percentOff !== undefined ? labelled(rule.percentOff, rule.label, 'percentOff', { percent: rule.percentOff }) : null,
          percentOffByTier: byKey(rule.percentOffByTier, rule.label, (key, value) => ['tierPercentOff', { tier: key, percent: value }]),
        });
        break;
      case 'earn_rate':
        baseRates.push({
          ...common(rule, NO_LABEL, rule),
          rate: rule.rate !== undefined ? labelled(rule.rate, rule.label, 'earnRate', { rate: rule.rate }) : null,
          byTier: byKey(rule.byTier, rule.label, (key, value) => ['tierEarnRate', { tier: key, rate: value }]),
          byCategory: byKey(rule.byCategory, rule.label, (key, value) => ['categoryEarnRate', { category: key, rate: value }]),
        } satisfies BaseRateRule);
        break;
      case 'spend_bands': {
        const basis = rule.basis ?? 'transaction';
        const prefix = rule.label ?? (basis === 'cumulative' ? 'cumulative band' : 'spend band');
        // A band's text is generated around HQ's label when there is one: keyed, with the label as its name.
        const bandParams = { basis, ...(rule.label !== undefined ? { name: rule.label } : {}) };
        baseRates.push({
          ...common(rule, { label: prefix }, rule),
          basis,
          bandAmount: rule.bandAmount ?? (format >= 2 ? 'bill' : 'earning'),
          mode: rule.mode ?? 'whole',
          bands: rule.bands.map((band) => ({
            upToCents: band.upToCents ?? Number.POSITIVE_INFINITY,
            rate: labelled(band.rate, undefined, 'spendBand', { ...bandParams, rate: band.rate }),
          })),
          ...withText('marginalLabel', 'marginalText', traceText('spendBandMarginal', bandParams)),
        } satisfies BaseRateRule);
        break;
      }
      case 'product_bonus': {
        productBonuses.push({
          ...common(rule, NO_LABEL, { skus: rule.skus }),
          extraRate: rule.extraRate !== undefined ? labelled(rule.extraRate, rule.label, 'productExtraRate', { rate: rule.extraRate }) : null,
          pointsPerUnit: rule.pointsPerUnit ?? 0,
          ...withText('pointsLabel', 'pointsText', rule.label !== undefined ? { label: rule.label } : traceText('productPerUnit', { points: rule.pointsPerUnit ?? 0 })),
        });
        break;
      }
      case 'multiplier':
        multipliers.push({
          ...common(rule, NO_LABEL, rule),
          factor: rule.factor !== undefined ? labelled(rule.factor, rule.label, 'multiplier', { factor: rule.factor }) : null,
          byTier: byKey(rule.byTier, rule.label, (key, value) => ['tierMultiplier', { tier: key, factor: value }]),
        });
        break;
      case 'registration_bonus':
        stages.registrationBonuses.push({ ...common(rule, traceText('welcomeBonus', { points: rule.points }), null), points: rule.points });
        break;
      case 'event_bonus':
        stages.eventBonuses.push({ ...common(rule, traceText('eventBonus', { eventId: rule.eventId, points: rule.points }), null), eventId: rule.eventId, points: rule.points });
        break;
      case 'referral':
        stages.referrals.push({
          ...common(rule, { label: 'referral', text: traceText('referralAward').text }, null),
          onRegistration: rule.on.includes('registration'),
          onPurchase: rule.on.includes('purchase'),
          levels: rule.levels.map((level) => ({ points: level.points ?? 0, rateScaled: level.rate !== undefined ? decimalToScaled(level.rate) : 0 })),
        });
        break;
      case 'deposit_bonus':
        stages.depositBonuses.push({ ...common(rule, traceText('depositBonus'), null), bands: rule.bands.map((b) => ({ ...b })) });
        break;
      case 'deposit_ratio':
        stages.depositBonuses.push({
          ...common(rule, traceText('depositBonus'), null),
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

/** The label a rule gets when HQ gave none: the engine's English words, keyed when it says something by itself. */
interface DefaultLabel {
  label: string;
  text?: TraceText;
}
/** Rules whose entries take their label from a rate (LabelledValue), not from the rule. */
const NO_LABEL: DefaultLabel = { label: '' };

function commonFields(rule: Rule, defaultLabel: DefaultLabel, lineFilter: LineFilter | null, ordinal: number, groups: ConditionGroups): CompiledRuleBase<Rule['kind']> {
  const conditionGroup = groups.groupOf(rule);
  return {
    conditionGroup,
    kind: rule.kind,
    id: rule.id,
    ordinal,
    needsLineCheck: lineFilter !== null,
    categories: lineFilter?.categories ?? null,
    skus: lineFilter?.skus ?? null,
    label: rule.label ?? defaultLabel.label,
    ...(rule.label === undefined && defaultLabel.text ? { text: defaultLabel.text } : {}),
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

/** A rate with HQ's label, or else the engine's keyed text for it. */
function labelled(decimal: string, hqLabel: string | undefined, key: TraceKey, params: TraceParams): LabelledValue {
  return { scaled: decimalToScaled(decimal), ...(hqLabel !== undefined ? { label: hqLabel } : traceText(key, params)) };
}

function byKey(
  map: Record<string, string> | undefined,
  hqLabel: string | undefined,
  textOf: (key: string, value: string) => [TraceKey, TraceParams],
): Map<string, LabelledValue> | null {
  if (!map) return null;
  return new Map(Object.entries(map).map(([key, value]) => [key, labelled(value, hqLabel, ...textOf(key, scaledToDecimal(decimalToScaled(value))))]));
}

/** A generated label and its key under the compiled rule's own field names (the key only when there is one). */
function withText<L extends string, T extends string>(labelField: L, textField: T, said: DefaultLabel): Record<L, string> & Partial<Record<T, TraceText>> {
  return { [labelField]: said.label, ...(said.text ? { [textField]: said.text } : {}) } as Record<L, string> & Partial<Record<T, TraceText>>;
}
