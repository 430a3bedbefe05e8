/**
 * What compile.ts turns a bundle into: rules sorted by priority per pipeline stage, each with its predicates
 * as closures and its rates as scaled integers, and the bundle's settings with defaults applied. The
 * evaluation stages read only this, never the raw bundle, so defaults are decided in exactly one place.
 */
import type { PointSource, Rule, RulesBundle } from './bundle.ts';
import type { LocalClock, LocalTime } from './local-time.ts';
import type { Rounding } from './decimal.ts';
import type { PurchaseLineInput } from './types.ts';
import type { LineIndex } from './line-index.ts';
import type { TraceText } from './trace-keys.ts';

/** What a transaction-level predicate sees. */
export interface TransactionFacts {
  storeId: string;
  regionId: string | undefined;
  tier: string;
  local: LocalTime;
}

export interface CompiledRuleBase<K extends Rule['kind']> {
  kind: K;
  id: string;
  /** Position in priority order across the bundle; also the rule's slot in the per-evaluation active mask. */
  ordinal: number;
  /** Set by the line index: whether a candidate's line filter still needs checking. */
  needsLineCheck: boolean;
  /** The line filter as data, for the line index (null: not limited that way). */
  categories: string[] | null;
  skus: string[] | null;
  label: string;
  /** The key of `label` when the engine wrote it (absent: HQ's label, or labels that come from a rate). */
  text?: TraceText;
  stop: boolean;
  /** Tier, scope and window; false for a disabled rule. */
  appliesTo: (facts: TransactionFacts) => boolean;
  /** Rules with identical tier/scope/window conditions share a group, checked once per evaluation. */
  conditionGroup: number;
  /** Category / SKU filter; null: every line. */
  matchesLine: ((line: PurchaseLineInput) => boolean) | null;
}

/** A rate in points per yuan × SCALE, with the label that explains it. */
export interface LabelledValue {
  scaled: number;
  label: string;
  /** The key of `label` when the engine wrote it (absent: HQ's label). */
  text?: TraceText;
}

export interface CompiledMemberPrice extends CompiledRuleBase<'member_price'> {
  priceBySku: Map<string, number>;
}
export interface CompiledDiscount extends CompiledRuleBase<'discount'> {
  /** Percent off × SCALE, for everyone or per tier. */
  percentOff: LabelledValue | null;
  percentOffByTier: Map<string, LabelledValue> | null;
}
export interface CompiledEarnRate extends CompiledRuleBase<'earn_rate'> {
  rate: LabelledValue | null;
  byTier: Map<string, LabelledValue> | null;
  byCategory: Map<string, LabelledValue> | null;
}
export interface CompiledBand {
  /** Inclusive upper bound in cents; Infinity for the last band. */
  upToCents: number;
  rate: LabelledValue;
}
export interface CompiledSpendBands extends CompiledRuleBase<'spend_bands'> {
  basis: 'transaction' | 'cumulative';
  /** The amount that picks the band (the format's default applied). */
  bandAmount: 'bill' | 'paid' | 'earning';
  mode: 'whole' | 'marginal';
  bands: CompiledBand[];
  marginalLabel: string;
  marginalText?: TraceText;
}
export interface CompiledProductBonus extends CompiledRuleBase<'product_bonus'> {
  extraRate: LabelledValue | null;
  pointsPerUnit: number;
  pointsLabel: string;
  pointsText?: TraceText;
}
export interface CompiledMultiplier extends CompiledRuleBase<'multiplier'> {
  factor: LabelledValue | null;
  byTier: Map<string, LabelledValue> | null;
}
export interface CompiledRegistrationBonus extends CompiledRuleBase<'registration_bonus'> {
  points: number;
}
export interface CompiledEventBonus extends CompiledRuleBase<'event_bonus'> {
  eventId: string;
  points: number;
}
export interface CompiledReferral extends CompiledRuleBase<'referral'> {
  onRegistration: boolean;
  onPurchase: boolean;
  levels: { points: number; rateScaled: number }[];
}
export interface CompiledDepositBonus extends CompiledRuleBase<'deposit_bonus'> {
  bands: { minCents: number; bonusCents: number }[];
}

export interface CompiledDepositRatio extends CompiledRuleBase<'deposit_ratio'> {
  bands: { minCents: number; ratioScaled: number }[];
  capCents: number | null;
  capPerDayCents: number | null;
}

export type BaseRateRule = CompiledEarnRate | CompiledSpendBands;

export interface CompiledStages {
  /** Every rule in priority order; index = ordinal. */
  all: CompiledRuleBase<Rule['kind']>[];
  /** One predicate per distinct tier/scope/window condition (campaigns share windows and scopes). */
  conditionGroups: ((facts: TransactionFacts) => boolean)[];
  memberPrices: LineIndex<CompiledMemberPrice>;
  discounts: LineIndex<CompiledDiscount>;
  /** earn_rate and spend_bands together: the first that gives a line a rate sets its base. */
  baseRates: LineIndex<BaseRateRule>;
  productBonuses: LineIndex<CompiledProductBonus>;
  multipliers: LineIndex<CompiledMultiplier>;
  registrationBonuses: CompiledRegistrationBonus[];
  eventBonuses: CompiledEventBonus[];
  referrals: CompiledReferral[];
  /** deposit_bonus and deposit_ratio together, in priority order: the first that pays wins. */
  depositBonuses: (CompiledDepositBonus | CompiledDepositRatio)[];
}

export type Expiry =
  | { kind: 'never' }
  | { kind: 'days'; days: number }
  | { kind: 'end_of_month'; monthsLater: number }
  | { kind: 'end_of_year'; yearsLater: number };

export interface CompiledTiers {
  ladder: { tier: string; from: number; paidOnly: boolean }[];
  rank: Map<string, number>;
  basis: 'points_earned' | 'cumulative_spend' | 'visits';
  downgrade: { policy: 'never' } | { policy: 'reevaluate'; period: 'month' | 'quarter' | 'year' };
  paidUpgrades: { from: string; to: string; points: number }[];
}

export interface CompiledSettings {
  /** The bundle format (absent: 1). */
  format: 1 | 2;
  earnOn: 'after_discount' | 'before_discount';
  rounding: Rounding;
  /** Round the purchase's points once and share them over the lines (format 2), or round each line (format 1). */
  roundOncePerPurchase: boolean;
  /** The point sources that count towards the member's points figure (`tiers.countedSources`, the format's default applied). */
  countedSources: ReadonlySet<PointSource>;
  multiplierStacking: 'multiply' | 'highest' | 'add';
  capPerTransaction: number | null;
  capPerDay: number | null;
  /** Earn factor × SCALE per non-points payment method. */
  earnFactor: { cash: number; stored_value: number; credit: number };
  /** True when every earn factor is 1: the common case skips the weighting. */
  earnFactorsAllOne: boolean;
  expiry: Expiry;
  /** Expiry per tier at earning time; a tier not listed uses `expiry`. */
  expiryByTier: Map<string, Expiry>;
  pointsPayment: { pointsPerYuan: number; maxShareScaled: number; minPoints: number; minBalance: number; earnsPoints: boolean } | null;
}

export interface CompiledBundle {
  bundle: RulesBundle;
  version: number;
  clock: LocalClock;
  settings: CompiledSettings;
  tiers: CompiledTiers | null;
  stages: CompiledStages;
}
