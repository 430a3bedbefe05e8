/**
 * The rules bundle schema: the single source of the runtime check and the type. A bundle is plain JSON data
 * with no transforms, so a bundle that went through the wire (JSON round trip) parses to an equal object and
 * the device and the hub evaluate the same thing. Defaults live in compile.ts, not here, for the same reason.
 *
 * Rates and multipliers are decimal strings ("1.5") with at most 4 decimals: exact for HQ to write, and
 * compiled to integers (×10 000) so no float ever touches points. Money is integer cents. docs/RULES.md
 * describes every field with examples.
 */
import { z } from 'zod';
import { semanticIssues } from './bundle-checks.ts';
import { cardTypesSchema, commissionSchema, creditTermsSchema } from './bundle-accounts.ts';
import { cents, clockTime, decimalSchema, localDate, monthDay, name, points, positiveInt } from './bundle-primitives.ts';

export { decimalSchema } from './bundle-primitives.ts';

/** When a rule applies, in the bundle's timezone. Every given part must match. */
export const windowSchema = z.strictObject({
  /** Inclusive local dates, e.g. a one-off campaign. */
  dates: z.strictObject({ from: localDate, to: localDate }).optional(),
  /** Inclusive month-days every year (12-24 .. 12-25); may wrap the year end (12-30 .. 01-02). */
  monthDays: z.strictObject({ from: monthDay, to: monthDay }).optional(),
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  daysOfWeek: z.array(z.number().int().min(1).max(7)).min(1).optional(),
  /** Local clock: from inclusive, to exclusive; from > to wraps midnight (22:00 .. 02:00). */
  hours: z.strictObject({ from: clockTime, to: clockTime }).optional(),
});

/** Where a rule applies. Absent: HQ-wide. A store in `stores` or a store in a region in `regions` matches. */
export const scopeSchema = z.strictObject({
  regions: z.array(name).min(1).optional(),
  stores: z.array(name).min(1).optional(),
});

/** Fields every rule has. */
const ruleCommon = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits and . _ : - (no spaces)'),
  /** Short text for receipts, e.g. "Christmas ×3". Defaults to a text made from the rule. */
  label: z.string().min(1).max(40).optional(),
  /** Higher runs first within its stage; ties keep the order of the rules array. Default 0. */
  priority: z.number().int().optional(),
  /** When this rule applies, lower-priority rules of the same stage do not (for that line or transaction). */
  stop: z.boolean().optional(),
  /** false keeps a rule in the bundle without applying it. Default true. */
  enabled: z.boolean().optional(),
  scope: scopeSchema.optional(),
  window: windowSchema.optional(),
  /** Only members in these tiers. */
  tiers: z.array(name).min(1).optional(),
};

/** Line filters: only lines in these categories / with these SKUs (both given: either matches). */
const lineFilter = {
  categories: z.array(name).min(1).optional(),
  skus: z.array(name).min(1).optional(),
};

const memberPriceRule = z.strictObject({
  kind: z.literal('member_price'),
  ...ruleCommon,
  /** SKU → member unit price in cents; applies when lower than the shelf price. */
  prices: z.record(name, cents),
});

const discountRule = z.strictObject({
  kind: z.literal('discount'),
  ...ruleCommon,
  ...lineFilter,
  /** Percent off the line ("10" = 10 % off), or per tier. Exactly one. */
  percentOff: decimalSchema.optional(),
  percentOffByTier: z.record(name, decimalSchema).optional(),
});

const earnRateRule = z.strictObject({
  kind: z.literal('earn_rate'),
  ...ruleCommon,
  ...lineFilter,
  /** Points per yuan: one rate, or per tier, or per category. Exactly one. */
  rate: decimalSchema.optional(),
  byTier: z.record(name, decimalSchema).optional(),
  byCategory: z.record(name, decimalSchema).optional(),
});

const spendBandsRule = z.strictObject({
  kind: z.literal('spend_bands'),
  ...ruleCommon,
  ...lineFilter,
  /** Which amount picks the band: this transaction's, or the member's cumulative spend including it. Default transaction. */
  basis: z.enum(['transaction', 'cumulative']).optional(),
  /**
   * What "amount" means when picking the band (the rate then applies to the earning amount as always): `bill`, the
   * consumption amount after discounts whatever pays it; `paid`, the part paid with money (cash, stored value,
   * credit: the bill minus its points-paid part); `earning`, the amount that earns after the points share and the
   * payment earn factors. Default `bill` (format 2), `earning` (format 1, the first engine's meaning).
   */
  bandAmount: z.enum(['bill', 'paid', 'earning']).optional(),
  /** whole: the band the amount falls in sets the rate for all of it (default). marginal: each part at its band's rate. */
  mode: z.enum(['whole', 'marginal']).optional(),
  /** Ascending upper bounds in cents (inclusive); the last has upToCents null (no limit). Rates in points per yuan. */
  bands: z.array(z.strictObject({ upToCents: cents.nullable(), rate: decimalSchema })).min(1),
});

const productBonusRule = z.strictObject({
  kind: z.literal('product_bonus'),
  ...ruleCommon,
  skus: z.array(name).min(1),
  /** Extra points per yuan, added to the base rate (multipliers apply to it). */
  extraRate: decimalSchema.optional(),
  /** Fixed points per unit bought, on top (multipliers do not apply). */
  pointsPerUnit: points.optional(),
});

const multiplierRule = z.strictObject({
  kind: z.literal('multiplier'),
  ...ruleCommon,
  ...lineFilter,
  /** ×factor on base points, or per tier. Exactly one. */
  factor: decimalSchema.optional(),
  byTier: z.record(name, decimalSchema).optional(),
});

const registrationBonusRule = z.strictObject({
  kind: z.literal('registration_bonus'),
  ...ruleCommon,
  points,
});

const eventBonusRule = z.strictObject({
  kind: z.literal('event_bonus'),
  ...ruleCommon,
  eventId: name,
  points,
});

const referralRule = z.strictObject({
  kind: z.literal('referral'),
  ...ruleCommon,
  /** When referrers earn: on the referred member's registration and/or purchases. */
  on: z.array(z.enum(['registration', 'purchase'])).min(1),
  /** levels[0] is the nearest referrer. Fixed points and/or points per yuan of the purchase (purchases only). */
  levels: z.array(z.strictObject({ points: points.optional(), rate: decimalSchema.optional() })).min(1),
});

const depositBonusRule = z.strictObject({
  kind: z.literal('deposit_bonus'),
  ...ruleCommon,
  /** The highest band whose minCents the top-up reaches pays its bonus (credited to bonus value). Ascending. */
  bands: z.array(z.strictObject({ minCents: cents, bonusCents: cents })).min(1),
});

const depositRatioRule = z.strictObject({
  kind: z.literal('deposit_ratio'),
  ...ruleCommon,
  /**
   * 赠款比例: the bonus is the top-up × ratio (floored to whole cents), the ratio of the highest band whose minCents
   * the top-up reaches (ascending; a top-up below the first band earns nothing). Credited to bonus value.
   */
  bands: z.array(z.strictObject({ minCents: cents, ratio: decimalSchema })).min(1),
  /** At most this much bonus on one top-up. */
  capCents: cents.optional(),
  /** At most this much deposit bonus per member per local day (the top-up context's bonusTodayCents is what was given before). */
  capPerDayCents: cents.optional(),
});

export const ruleSchema = z.discriminatedUnion('kind', [
  memberPriceRule,
  discountRule,
  earnRateRule,
  spendBandsRule,
  productBonusRule,
  multiplierRule,
  registrationBonusRule,
  eventBonusRule,
  referralRule,
  depositBonusRule,
  depositRatioRule,
]);

const expirySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('never') }),
  z.strictObject({ kind: z.literal('days'), days: positiveInt }),
  /** Last moment of the local month the points were earned in, `monthsLater` months on (0: this month). */
  z.strictObject({ kind: z.literal('end_of_month'), monthsLater: z.number().int().nonnegative().optional() }),
  z.strictObject({ kind: z.literal('end_of_year'), yearsLater: z.number().int().nonnegative().optional() }),
]);

/**
 * Where points come from, for `tiers.countedSources`: a purchase's line points, an event bonus (on a purchase
 * naming the event, or on its own), a referrer's referral award, the registration bonus, a manual bonus, a
 * redemption code's points, a points prize won in a draw.
 */
export const POINT_SOURCES = ['purchase', 'event', 'referral', 'registration', 'manual', 'code', 'draw'] as const;
export type PointSource = (typeof POINT_SOURCES)[number];

/**
 * The bundle format this engine writes: what a bundle means where it leaves a field out. Format 1 (a bundle
 * without `format`, as every bundle stored before formats existed): points rounded per line, spend bands picked on
 * the earning amount, tiers counting every source but referral and manual points. Format 2: points rounded once
 * per purchase, spend bands picked on the bill amount, tiers counting points from every source.
 */
export const CURRENT_RULES_FORMAT = 2;

/**
 * 积分返点: when the member's spendable points reach `threshold`, points convert automatically into bonus value
 * (`reward: "value"`, at `ratio` yuan per point, or the member's tier's `ratioByTier`; whole `step`s of points,
 * default the threshold) or into catalogue gifts / gift vouchers (`reward: "gift"`, as many of the gift, or the
 * tier's `giftIdByTier`, as the balance pays for at the gift's points).
 */
const pointsRebateSchema = z.discriminatedUnion('reward', [
  z.strictObject({
    reward: z.literal('value'),
    threshold: positiveInt,
    step: positiveInt.optional(),
    ratio: decimalSchema.optional(),
    ratioByTier: z.record(name, decimalSchema).optional(),
  }),
  z.strictObject({
    reward: z.literal('gift'),
    threshold: positiveInt,
    giftId: name,
    giftIdByTier: z.record(name, name).optional(),
  }),
]);

/** The bundle's shape; rulesBundleSchema adds the cross-field checks of bundle-checks.ts. */
export const rulesBundleShape = z.strictObject({
  version: positiveInt,
  /** The bundle format (see CURRENT_RULES_FORMAT): absent means 1, so a stored bundle keeps its meaning. */
  format: z.union([z.literal(1), z.literal(2)]).optional(),
  /** IANA zone for time windows, local days (daily cap) and end-of-month expiry. Default Asia/Shanghai. */
  timezone: z.string().min(1).optional(),
  points: z
    .strictObject({
      /** Earn on the price after discounts (default) or before. */
      earnOn: z.enum(['after_discount', 'before_discount']).optional(),
      /** Rounding to whole points, once per purchase (format 2) or per line (format 1): floor (default), half_up or ceil. */
      rounding: z.enum(['floor', 'half_up', 'ceil']).optional(),
      /** How several multipliers on one line combine: multiply (default), highest only, or add (1 + Σ(f − 1)). */
      multiplierStacking: z.enum(['multiply', 'highest', 'add']).optional(),
      caps: z.strictObject({ perTransaction: points.optional(), perDay: points.optional() }).optional(),
      /** Earn-rate factor per payment method ("0.5": stored value earns half). Default "1" each. */
      earnFactorByPayment: z
        .strictObject({ cash: decimalSchema.optional(), stored_value: decimalSchema.optional(), credit: decimalSchema.optional() })
        .optional(),
      expiry: expirySchema.optional(),
      /** Expiry per tier (the member's tier when the points are earned); a tier not listed uses `expiry`. */
      expiryByTier: z.record(name, expirySchema).optional(),
    })
    .optional(),
  /** Paying with points. Absent: points cannot pay. */
  pointsPayment: z
    .strictObject({
      /** N points = 1 yuan. */
      pointsPerYuan: positiveInt,
      /** At most this share of the bill ("0.5" = half). Default "1". */
      maxShare: decimalSchema.optional(),
      /** At least this many points when paying with points. Default 0. */
      minPoints: points.optional(),
      /** The member must hold at least this many spendable points (before paying) for points to pay at all. Default 0. */
      minBalance: points.optional(),
      /** Whether the part paid with points earns points. Default false. */
      earnsPoints: z.boolean().optional(),
    })
    .optional(),
  tiers: z
    .strictObject({
      /** Ascending thresholds; the first is the entry tier with from 0. */
      /**
       * `paidOnly`: the tier is never reached by its threshold, only bought (paidUpgrades); its `from` only places it in
       * the ladder's order.
       */
      ladder: z.array(z.strictObject({ tier: name, from: points, paidOnly: z.boolean().optional() })).min(1),
      /** What `from` counts: points earned (default), cumulative spend in cents, or visits (purchases made). */
      basis: z.enum(['points_earned', 'cumulative_spend', 'visits']).optional(),
      /**
       * Which points count towards `points_earned` thresholds (and period reviews). Default: every source (format 2);
       * every source but referral and manual (format 1). Every credit of a counted source runs the upgrade check.
       */
      countedSources: z.array(z.enum(POINT_SOURCES)).min(1).optional(),
      /** never: tiers only go up (default). reevaluate: at each period end the tier follows that period's figure. */
      downgrade: z
        .discriminatedUnion('policy', [
          z.strictObject({ policy: z.literal('never') }),
          z.strictObject({ policy: z.literal('reevaluate'), period: z.enum(['month', 'quarter', 'year']) }),
        ])
        .optional(),
      /** Buying a tier with points: silver → gold for 1000 points. */
      paidUpgrades: z.array(z.strictObject({ from: name, to: name, points: positiveInt })).optional(),
    })
    .optional(),
  gifts: z
    .array(z.strictObject({ giftId: name, name, points: positiveInt, /** Catalogue stock; the ledger tracks what is left. */ stock: points.optional() }))
    .optional(),
  /** Count cards (punches per service) and time-limited cards sold as SKUs. */
  cards: z
    .array(
      z.strictObject({
        sku: name,
        serviceId: name,
        /** Visits per card; absent: a time-limited card only. */
        punches: positiveInt.optional(),
        /** Valid this many days from purchase (end of that local day), or until a local date. At most one. */
        validDays: positiveInt.optional(),
        validUntil: localDate.optional(),
      }),
    )
    .optional(),
  /** Automatic conversion of points into bonus value or gifts at a threshold (积分返点). Absent: none. */
  pointsRebate: pointsRebateSchema.optional(),
  manualBonus: z.strictObject({ maxPoints: positiveInt.optional(), reasons: z.array(name).min(1).optional() }).optional(),
  /**
   * The member's PIN, where the chain asks for it: a purchase paying more than this much stored value needs the
   * member's PIN entered at the kiosk (checked by the hub; a kiosk without the hub cannot take such a payment).
   */
  memberPin: z.strictObject({ storedValueAboveCents: cents }).optional(),
  /** Card types HQ defines (个人卡, 附属卡, 团体卡…) with their validity, limits and fee schedule. Absent: one plain type, no fees. */
  cardTypes: cardTypesSchema.optional(),
  /** Credit terms (赊账). Absent: no member may pay on credit. */
  credit: creditTermsSchema.optional(),
  /** Staff commission (员工提成) per staff level and consumption code. Absent: none. */
  commission: commissionSchema.optional(),
  rules: z.array(ruleSchema),
});

export type RulesBundle = z.infer<typeof rulesBundleShape>;

export const rulesBundleSchema = rulesBundleShape.superRefine((bundle, ctx) => {
  for (const issue of semanticIssues(bundle)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.reason });
});

export type Rule = z.infer<typeof ruleSchema>;
export type RuleKind = Rule['kind'];
export type RuleWindow = z.infer<typeof windowSchema>;
export type RuleScope = z.infer<typeof scopeSchema>;
