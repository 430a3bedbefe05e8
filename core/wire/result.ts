/** What the hub answers on `devices/{id}/tx/result`, one message per transaction it received. */
import { z } from 'zod';
import type { ErrorCode } from '../errors/codes.ts';

export const balancesSchema = z.object({
  storedValueCents: z.number().int(),
  bonusValueCents: z.number().int(),
  points: z.number().int(),
});
export type Balances = z.infer<typeof balancesSchema>;

export const txOutcomeSchema = z.object({
  kind: z.string(),
  memberId: z.string(),
  cardUid: z.string(),
  tier: z.string(),
  balances: balancesSchema,
  pointsEarned: z.number().int(),
  pointsSpent: z.number().int(),
  /** Money that moved on the member's value accounts (negative: spent). */
  valueDeltaCents: z.number().int(),
  /** Short explanation for receipts and screens: which rule gave what. */
  trace: z.array(z.string()),
  /**
   * The lines of `trace` the rules engine wrote, keyed (core/rules/trace-keys.ts), for a reader to render in its
   * language; `at` is the line's index in `trace`. Optional and additive: an older kiosk drops it (zod strips
   * unknown keys) and prints `trace`; an older hub sends none. The key is any string: a newer hub's key falls back
   * to the English line.
   */
  traceText: z
    .array(
      z.object({
        at: z.number().int().nonnegative(),
        key: z.string(),
        params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
        points: z.number().int().optional(),
        cents: z.number().int().optional(),
      }),
    )
    .optional(),
  /** A sale taken offline that the balances could not cover: what the member now owes (shortfall accounts). */
  shortfall: z.object({ valueCents: z.number().int().nonnegative(), points: z.number().int().nonnegative() }).optional(),
  /**
   * A purchase: the total the ledger charged (after member prices and discounts) and how it was paid, principal and
   * bonus value apart (its purchase record), so a receipt prints tenders that add up to the total. Optional and
   * additive: absent from older hubs' outcomes (the kiosk then prints what it priced itself).
   */
  purchase: z
    .object({
      totalCents: z.number().int(),
      tenders: z.object({
        cashCents: z.number().int(),
        storedValueCents: z.number().int(),
        bonusValueCents: z.number().int(),
        pointsValueCents: z.number().int(),
        points: z.number().int(),
        creditCents: z.number().int().optional(),
      }),
    })
    .optional(),
  /** A points draw entry: the draw and the prize won (null: none). */
  draw: z
    .object({
      drawId: z.string(),
      prize: z.object({ prizeId: z.string(), name: z.string(), kind: z.string(), points: z.number().int().nullable() }).nullable(),
    })
    .optional(),
});
export type TxOutcome = z.infer<typeof txOutcomeSchema>;

/** Why the hub dated a transaction with its own receive time instead of the kiosk's (corrected) clock. */
export const CLOCK_REJECTION_REASONS = ['future', 'before_previous', 'before_earliest'] as const;
export type ClockRejectionReason = (typeof CLOCK_REJECTION_REASONS)[number];

export const txResultSchema = z.object({
  id: z.string().nullable(),
  seq: z.number().int().nullable(),
  /** The epoch of the slot this answers (absent from hubs before format 2, and for format-1 payloads). */
  epoch: z.string().optional(),
  /**
   * applied: done now. exists: this id was done before with the same content; `original` says how it ended.
   * rejected: not applied; `retry` says whether sending it again later can succeed (an ordering gap) or not.
   */
  status: z.enum(['applied', 'exists', 'rejected']),
  original: z.enum(['applied', 'rejected']).optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  retry: z.boolean().optional(),
  /**
   * With TX_OUT_OF_ORDER: the seq the hub expects next in this epoch. Below the kiosk's oldest pending seq it means
   * the hub lost transactions it had confirmed (its ledger was restored from a backup): the kiosk sends its closed
   * entries from there again (device/link/delivery-machine.ts, replay). Optional and additive: an older kiosk drops
   * it and resends as before; an older hub sends none.
   */
  expectedSeq: z.number().int().positive().optional(),
  /**
   * Whether the hub's ledger holds this outcome: true for applied, exists and every refusal the hub recorded
   * under the transaction's slot; false for a refusal nobody recorded (a slot taken by other content, a
   * device mismatch). A kiosk closes an outbox entry only on a recorded outcome.
   */
  recorded: z.boolean().optional(),
  /** Present when the kiosk's clock gave an impossible time and the hub dated the transaction itself. */
  clock: z.object({ usedHubTime: z.literal(true), reason: z.enum(CLOCK_REJECTION_REASONS), skewMs: z.number().int() }).optional(),
  outcome: txOutcomeSchema.optional(),
});
/** A result as a reader takes it: `code` is whatever the hub sent (a kiosk reads a newer hub's codes too). */
export type TxResult = z.infer<typeof txResultSchema>;
/** A result as the hub makes one: a refusal names a code of core's registry. */
export type TxResultAnswer = Omit<TxResult, 'code'> & { code?: ErrorCode };

/**
 * The results of one commit for one device travel as one message `{results: [...]}` (in the device's order):
 * at hub load that halves the MQTT traffic per transaction. A lone result may also come bare.
 */
export const txResultMessageSchema = z.union([txResultSchema, z.object({ results: z.array(txResultSchema).min(1).max(5_000) })]);

/** The results a tx/result message carries, in order; null when the message is not one. */
export function resultsOf(json: unknown): TxResult[] | null {
  const parsed = txResultMessageSchema.safeParse(json);
  if (!parsed.success) return null;
  return 'results' in parsed.data ? parsed.data.results : [parsed.data];
}

/**
 * A result the device may close its outbox entry on: the hub has decided this transaction for good and its
 * ledger holds the decision. A refusal the hub did not record (recorded !== true) never closes an entry: the
 * transaction would be gone from the kiosk and absent from the hub.
 */
export function closesOutboxEntry(result: TxResult): boolean {
  if (result.status === 'applied' || result.status === 'exists') return true;
  return result.recorded === true && result.retry !== true;
}
