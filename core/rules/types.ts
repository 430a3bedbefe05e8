/**
 * The contract between the rules engine and its callers (hub ledger, device, CLI, receipts).
 * Inputs and outputs are integers: cents and whole points. Times are ISO-8601 strings.
 * Fields marked "added in issue 3" are optional on input so callers written against the first contract keep working.
 */
import type { Cents, Points } from '../money/integers.ts';
import type { TraceText } from './trace-keys.ts';

export interface PurchaseLineInput {
  lineNo: number;
  sku: string;
  category: string;
  qty: number;
  unitPriceCents: Cents;
}

export type PaymentMethod = 'cash' | 'stored_value' | 'points' | 'credit';

export interface PaymentInput {
  method: PaymentMethod;
  /** Cents for cash, stored value and credit. For points the engine derives the value from `points`. */
  amountCents?: Cents;
  points?: Points;
}

export interface MemberContext {
  memberId: string;
  tier: string;
  /** Lifetime spend before this transaction, for cumulative spend bands and tier thresholds. */
  cumulativeSpendCents: Cents;
  /** Lifetime points earned before this transaction, as the bundle's tiers.countedSources count them: for tier thresholds. */
  cumulativePointsEarned: Points;
  /** Added in issue 3: points already earned today (bundle-local day), for the per-day cap. Absent: 0. */
  pointsEarnedToday?: Points;
  /** Added in issue 3: the member's referrers, nearest first (A referred B: B's chain is [A]). For referral awards on purchases. */
  referrerChain?: string[];
  /** Issue 11: the member's spendable points before this transaction, for `pointsPayment.minBalance`. */
  pointsBalance?: Points;
  /** Issue 11: purchases (visits) made before this transaction, for tiers with basis `visits`. Absent: 0. */
  cumulativeVisits?: number;
}

export interface PurchaseContext {
  /** When the purchase happened, ISO-8601 (the device's clock; the hub recomputes with the same value). */
  at: string;
  storeId: string;
  regionId?: string;
  member: MemberContext;
  lines: PurchaseLineInput[];
  payments: PaymentInput[];
  /** Added in issue 3: events the member takes part in with this purchase (event_bonus rules). */
  eventIds?: string[];
}

/** One step of the explanation: which rule contributed what. */
export interface TraceEntry {
  ruleId: string;
  /** Short, human text for receipts and screens, e.g. "gold ×1.5": English for texts the engine writes itself. */
  label: string;
  /** The engine's own texts as a message key and parameters, rendered per language by trace-text.ts (absent: HQ's label). */
  text?: TraceText;
  lineNo?: number;
  points?: Points;
  cents?: Cents;
}

export interface LineEvaluation {
  lineNo: number;
  grossCents: Cents;
  discountCents: Cents;
  netCents: Cents;
  /** Points this line earned after multipliers, caps and rounding: what a refund of the line takes back. */
  points: Points;
  /** Added in issue 3: the part of this line paid with points (value and points): what a refund of the line gives back. */
  paidWithPointsCents: Cents;
  paidWithPoints: Points;
  /** Added in issue 3: the cents this line earned points on (after the discount policy, points share and payment rates). */
  earningCents: Cents;
}

/** A referrer's award: level 1 is the nearest referrer. */
export interface ReferralAward {
  ruleId: string;
  memberId: string;
  level: number;
  points: Points;
}

/** Punches or validity a purchased count card / time card grants. */
export interface CardGrant {
  lineNo: number;
  sku: string;
  serviceId: string;
  /** Visits granted (qty × punches per card); null for a card that is only time-limited. */
  punches: number | null;
  /** End of validity (ISO instant), null: no end. */
  validUntil: string | null;
}

export interface PaymentSplitEntry {
  method: PaymentMethod;
  cents: Cents;
}

export interface PurchaseEvaluation {
  bundleVersion: number;
  lines: LineEvaluation[];
  subtotalCents: Cents;
  discountCents: Cents;
  totalCents: Cents;
  /** Points earned by lines plus transaction-level bonuses. */
  pointsEarned: Points;
  bonuses: { ruleId: string; points: Points; label: string }[];
  /** The part of the bill paid with points, if any. */
  pointsPayment: { points: Points; valueCents: Cents } | null;
  /** When the points earned here expire (null: never). */
  pointsExpireAt: string | null;
  /** A tier the member reaches with this purchase, if it changes. */
  tierAfter: string | null;
  trace: TraceEntry[];
  /** Added in issue 3: how the total is paid, per method (points valued in cents). */
  paymentSplit: PaymentSplitEntry[];
  /** Added in issue 3: points the member's referrers earn from this purchase (credited to them, not to this member). */
  referralAwards: ReferralAward[];
  /** Added in issue 3: count cards and time cards bought in this basket. */
  cardGrants: CardGrant[];
}

export interface TopUpContext {
  at: string;
  storeId: string;
  regionId?: string;
  member: MemberContext;
  amountCents: Cents;
  /** Deposit bonus value this member already received today (bundle-local day), for a deposit_ratio capPerDayCents. Absent: 0. */
  bonusTodayCents?: Cents;
}

export interface TopUpEvaluation {
  bundleVersion: number;
  bonusValueCents: Cents;
  trace: TraceEntry[];
}

export interface RegistrationContext {
  at: string;
  storeId: string;
  regionId?: string;
  memberId: string;
  /** The new member's referrers, nearest first: C registers with B as referrer, B was referred by A → ['B', 'A']. */
  referrerChain: string[];
}

export interface RegistrationEvaluation {
  bundleVersion: number;
  /** The tier a new member starts in: the ladder's entry tier, or the tier a welcome bonus that counts towards tiers reaches. */
  tier: string;
  /** Points for the new member. */
  points: Points;
  pointsExpireAt: string | null;
  referralAwards: ReferralAward[];
  trace: TraceEntry[];
}
