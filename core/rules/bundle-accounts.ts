/**
 * The account features of the rules bundle (issue 11, docs/ACCOUNTS.md): card types with their fee schedule,
 * credit terms (赊账) and staff commission (员工提成). They travel in the signed rules like every other rule, so a
 * kiosk shows the same fee the hub charges, and a kiosk scope may set its own.
 */
import { z } from 'zod';
import { cents, decimalSchema, name, positiveInt } from './bundle-primitives.ts';

/** A card type's fee schedule (收费设置): each fee in cents; a fee left out is 0. */
export const feeScheduleSchema = z.strictObject({
  /** Issuing a card of the type (办卡 / 加入费), charged when it is issued. */
  issue: cents.optional(),
  /** Replacing a lost or broken card (补卡 / 补换新卡费). */
  replace: cents.optional(),
  /** Repairing a card (修卡). */
  repair: cents.optional(),
  /** One validity extension of `extendMonths` (延期收费). */
  extend: cents.optional(),
  /** Every year in the card's issue month, the first at issue (年费; an attached type's is the 附属卡年费). */
  annual: cents.optional(),
  /** Taken from the payout when the card is returned (退卡). */
  return: cents.optional(),
});

/**
 * `personal`: the member's own card. `supplementary` (附属卡), `linked` (关联卡) and `group` (团体卡): further cards
 * on a member's accounts, each with a holder of its own and the type's limits. A type may stand for a tier
 * (`tier`, 金卡/银卡 as card types): issuing it lifts the member to that tier.
 */
export const CARD_CLASSES = ['personal', 'supplementary', 'linked', 'group'] as const;

export const cardTypeSchema = z.strictObject({
  typeId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be letters, digits and . _ : - (no spaces)'),
  /** What staff and members see (zh-CN as the chain writes it). */
  label: z.string().min(1).max(40),
  class: z.enum(CARD_CLASSES),
  /** A tier the type stands for (金卡 → gold): issuing a card of the type lifts the member to it, never down. */
  tier: name.optional(),
  /** Valid this many months from issue (end of that local day); absent: no end. */
  validityMonths: positiveInt.optional(),
  /** Months one paid extension adds (from the validity end, or from today if it has passed). Default validityMonths, else 12. */
  extendMonths: positiveInt.optional(),
  /** The credit limit of a member whose own limit HQ left at 0 and who holds a card of this type. */
  creditLimitCents: cents.optional(),
  /** An attached card's own limits on the shared accounts (a personal card has none). */
  limits: z
    .strictObject({
      /** Stored value and credit one purchase may take. */
      perTransactionCents: cents.optional(),
      /** Stored value and credit the card may take per local day. */
      perDayCents: cents.optional(),
      /** Whether the card may pay with the member's points. Default true. */
      pointsPayment: z.boolean().optional(),
    })
    .optional(),
  fees: feeScheduleSchema.optional(),
});

export const cardTypesSchema = z.strictObject({
  /** The type of a card registered at a kiosk and of every card from before card types. Default: the first listed. */
  default: name.optional(),
  types: z.array(cardTypeSchema).min(1),
});

/**
 * Credit terms (赊账). A member may pay on credit up to their limit (their own, else their card type's); each
 * local calendar month is one statement, due `graceDays` after it closes.
 */
export const creditTermsSchema = z.strictObject({
  /** Days after a statement month closes before its balance is overdue. Default 20. */
  graceDays: positiveInt.optional(),
  /** Owing at least this share of the limit is reported as near the limit ("0.8"). Default "0.8". */
  warnAtShare: decimalSchema.optional(),
  /** Charged once on a statement left unpaid past its due date (逾期付款罚款). Default 0. */
  lateFeeCents: cents.optional(),
  /** Interest on what is overdue, in basis points per month overdue (0.05 % a day ≈ 150). Default 0. */
  interestBpPerMonth: z.number().int().min(0).max(10_000).optional(),
});

/**
 * Staff commission (员工提成, 總額提成 and 次數提成): per staff level, per consumption code (消费代码: a purchase
 * line's category, or a staff transaction's kind such as `top_up` or `card_issue`; `*` for any other), a share of
 * the amount and a fixed amount per count.
 */
export const commissionSchema = z.strictObject({
  levels: z.record(
    name,
    z.record(
      name,
      z.strictObject({
        /** Share of the amount ("0.05": 5 %). */
        rate: decimalSchema.optional(),
        /** Cents per count (a purchase line's quantity, or one per staff transaction). */
        perCountCents: cents.optional(),
      }),
    ),
  ),
});

export type CardType = z.infer<typeof cardTypeSchema>;
export type CardTypes = z.infer<typeof cardTypesSchema>;
export type CreditTerms = z.infer<typeof creditTermsSchema>;
export type CommissionSchedule = z.infer<typeof commissionSchema>;
