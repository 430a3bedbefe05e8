/**
 * Schemas for evaluation inputs that arrive as JSON (the CLI's BASKET.json, HQ's "try this basket"). The
 * ledger builds contexts itself and does not need them. The `kind` field picks the evaluation: one kind per
 * thing the engine decides (docs/RULES.md, "CLI"), each input the engine function's own context.
 */
import { z } from 'zod';
import { POINT_SOURCES } from './bundle.ts';

const cents = z.number().int('must be whole cents');
const points = z.number().int('must be whole points').nonnegative();
const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 time');
const name = z.string().min(1);

const memberSchema = z.strictObject({
  memberId: name,
  tier: name,
  cumulativeSpendCents: cents.nonnegative(),
  cumulativePointsEarned: points,
  pointsEarnedToday: points.optional(),
  referrerChain: z.array(name).optional(),
  pointsBalance: points.optional(),
  cumulativeVisits: z.number().int().nonnegative().optional(),
});

const purchaseFields = {
  at: instant,
  storeId: name,
  regionId: name.optional(),
  member: memberSchema,
  lines: z
    .array(
      z.strictObject({
        lineNo: z.number().int().positive(),
        sku: name,
        category: name,
        qty: z.number().int().positive(),
        unitPriceCents: cents.nonnegative(),
      }),
    )
    .min(1),
  payments: z.array(
    z.strictObject({
      method: z.enum(['cash', 'stored_value', 'points', 'credit']),
      amountCents: cents.nonnegative().optional(),
      points: points.optional(),
    }),
  ),
  eventIds: z.array(name).optional(),
};

export const purchaseContextSchema = z.strictObject({ kind: z.literal('purchase').optional(), ...purchaseFields });

export const topUpContextSchema = z.strictObject({
  kind: z.literal('top_up'),
  at: instant,
  storeId: name,
  regionId: name.optional(),
  member: memberSchema,
  amountCents: cents.positive(),
  bonusTodayCents: cents.nonnegative().optional(),
});

export const registrationContextSchema = z.strictObject({
  kind: z.literal('registration'),
  at: instant,
  storeId: name,
  regionId: name.optional(),
  memberId: name,
  referrerChain: z.array(name),
});

/** A paid upgrade (evaluatePaidUpgrade): silver → gold for 1000 points. */
export const paidUpgradeContextSchema = z.strictObject({ kind: z.literal('paid_upgrade'), member: memberSchema, pointsBalance: points, targetTier: name });

/** Redeeming gifts (evaluateRedeemGift). */
export const redeemGiftContextSchema = z.strictObject({
  kind: z.literal('redeem_gift'),
  giftId: name,
  qty: z.number().int(),
  pointsBalance: points,
  stockLeft: points.optional(),
});

/** A tier review (evaluateTier): `now` applies the thresholds to the lifetime figure, `period_end` reviews a closed period. */
export const tierReviewContextSchema = z.strictObject({
  kind: z.literal('tier_review'),
  member: memberSchema,
  mode: z.enum(['now', 'period_end']),
  periodFigure: z.number().int().nonnegative().optional(),
});

/** The upgrade check a points credit runs (evaluateTierCredit): a referral award, a registration, event or manual bonus. */
export const tierCreditContextSchema = z.strictObject({
  kind: z.literal('tier_credit'),
  member: memberSchema,
  source: z.enum(POINT_SOURCES),
  points: z.number().int(),
});

/** Taking part in an event (evaluateEventBonus). */
export const eventBonusContextSchema = z.strictObject({
  kind: z.literal('event_bonus'),
  at: instant,
  storeId: name,
  regionId: name.optional(),
  member: memberSchema,
  eventId: name,
});

/** A manual bonus with a reason (evaluateManualBonus). */
export const manualBonusContextSchema = z.strictObject({ kind: z.literal('manual_bonus'), at: instant, points: z.number().int(), reason: z.string(), tier: name.optional() });

/** The automatic points conversion (积分返点, evaluatePointsRebate) for a member's tier and spendable points. */
export const pointsRebateContextSchema = z.strictObject({ kind: z.literal('points_rebate'), tier: name, pointsBalance: points, stockLeft: points.optional() });

/** A refund of lines (reverseLines) of a purchase, which is evaluated under the same bundle first. */
export const refundContextSchema = z.strictObject({
  kind: z.literal('refund'),
  purchase: z.strictObject(purchaseFields),
  lineNos: z.array(z.number().int().positive()),
  alreadyRefunded: z.array(z.number().int().positive()).optional(),
});

/** One use of a count card or time card (evaluateCardUse). */
export const cardUseContextSchema = z.strictObject({
  kind: z.literal('card_use'),
  at: instant,
  serviceId: name,
  punchesLeft: z.number().int().nullable(),
  validUntil: instant.nullable(),
});

const SCHEMAS = {
  purchase: purchaseContextSchema,
  top_up: topUpContextSchema,
  registration: registrationContextSchema,
  paid_upgrade: paidUpgradeContextSchema,
  redeem_gift: redeemGiftContextSchema,
  tier_review: tierReviewContextSchema,
  tier_credit: tierCreditContextSchema,
  event_bonus: eventBonusContextSchema,
  manual_bonus: manualBonusContextSchema,
  refund: refundContextSchema,
  card_use: cardUseContextSchema,
  points_rebate: pointsRebateContextSchema,
} as const;

export type EvaluationKind = keyof typeof SCHEMAS;
export const EVALUATION_KINDS = Object.keys(SCHEMAS) as EvaluationKind[];

export type EvaluationInput =
  | ({ kind: 'purchase' } & Omit<z.infer<typeof purchaseContextSchema>, 'kind'>)
  | z.infer<(typeof SCHEMAS)[Exclude<EvaluationKind, 'purchase'>]>;

/** Parses a basket file's JSON: a purchase (kind absent or "purchase") or one of the other kinds above. */
export function parseEvaluationInput(json: unknown): { ok: true; input: EvaluationInput } | { ok: false; issues: { path: string; reason: string }[] } {
  const kind = typeof json === 'object' && json !== null && 'kind' in json ? json.kind : 'purchase';
  if (typeof kind !== 'string' || !Object.hasOwn(SCHEMAS, kind)) {
    return { ok: false, issues: [{ path: 'kind', reason: `unknown kind ${JSON.stringify(kind)}: one of ${EVALUATION_KINDS.join(', ')}` }] };
  }
  const result = SCHEMAS[kind as EvaluationKind].safeParse(json);
  if (!result.success) return { ok: false, issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), reason: i.message })) };
  const data = result.data as { kind?: string };
  return { ok: true, input: (data.kind === undefined ? { ...data, kind: 'purchase' } : data) as EvaluationInput };
}
