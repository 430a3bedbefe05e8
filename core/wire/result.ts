/** What the hub answers on `devices/{id}/tx/result`, one message per transaction it received. */
import { z } from 'zod';

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
});
export type TxOutcome = z.infer<typeof txOutcomeSchema>;

export const txResultSchema = z.object({
  id: z.string().nullable(),
  seq: z.number().int().nullable(),
  /**
   * applied: done now. exists: this id was done before with the same content; `original` says how it ended.
   * rejected: not applied; `retry` says whether sending it again later can succeed (an ordering gap) or not.
   */
  status: z.enum(['applied', 'exists', 'rejected']),
  original: z.enum(['applied', 'rejected']).optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  retry: z.boolean().optional(),
  outcome: txOutcomeSchema.optional(),
});
export type TxResult = z.infer<typeof txResultSchema>;

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

/** A result the device may close its outbox entry on: the hub has decided this transaction for good. */
export function isFinalResult(result: TxResult): boolean {
  return result.status !== 'rejected' || result.retry !== true;
}
