/**
 * Schemas for evaluation inputs that arrive as JSON (the CLI's BASKET.json, HQ's "try this basket"). The
 * ledger builds contexts itself and does not need them. The `kind` field picks the evaluation.
 */
import { z } from 'zod';

const cents = z.number().int('must be whole cents');
const points = z.number().int('must be whole points').nonnegative();
const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 time');

const memberSchema = z.strictObject({
  memberId: z.string().min(1),
  tier: z.string().min(1),
  cumulativeSpendCents: cents.nonnegative(),
  cumulativePointsEarned: points,
  pointsEarnedToday: points.optional(),
  referrerChain: z.array(z.string().min(1)).optional(),
});

export const purchaseContextSchema = z.strictObject({
  kind: z.literal('purchase').optional(),
  at: instant,
  storeId: z.string().min(1),
  regionId: z.string().min(1).optional(),
  member: memberSchema,
  lines: z
    .array(
      z.strictObject({
        lineNo: z.number().int().positive(),
        sku: z.string().min(1),
        category: z.string().min(1),
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
  eventIds: z.array(z.string().min(1)).optional(),
});

export const topUpContextSchema = z.strictObject({
  kind: z.literal('top_up'),
  at: instant,
  storeId: z.string().min(1),
  regionId: z.string().min(1).optional(),
  member: memberSchema,
  amountCents: cents.positive(),
});

export const registrationContextSchema = z.strictObject({
  kind: z.literal('registration'),
  at: instant,
  storeId: z.string().min(1),
  regionId: z.string().min(1).optional(),
  memberId: z.string().min(1),
  referrerChain: z.array(z.string().min(1)),
});

export type EvaluationInput =
  | ({ kind: 'purchase' } & Omit<z.infer<typeof purchaseContextSchema>, 'kind'>)
  | z.infer<typeof topUpContextSchema>
  | z.infer<typeof registrationContextSchema>;

/** Parses a basket file's JSON: a purchase (kind optional), a top-up or a registration. */
export function parseEvaluationInput(json: unknown): { ok: true; input: EvaluationInput } | { ok: false; issues: { path: string; reason: string }[] } {
  const kind = typeof json === 'object' && json !== null && 'kind' in json ? json.kind : 'purchase';
  const schema = kind === 'top_up' ? topUpContextSchema : kind === 'registration' ? registrationContextSchema : purchaseContextSchema;
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), reason: i.message })) };
  const data = result.data;
  return { ok: true, input: (data.kind === undefined ? { ...data, kind: 'purchase' } : data) as EvaluationInput };
}
