/**
 * The message keys of the texts the engine writes into a trace itself (HQ's own rule labels are not keyed: they
 * are already in the language HQ chose). A trace entry carries a key and its parameters, so every screen and
 * receipt can render it in its own language (core/rules/trace-text.ts); `label` stays the English rendering for
 * readers written before keys and for records already stored.
 *
 * Keys are data that travels (hub → kiosk outcomes, stored ledger results): never rename or remove one, add new
 * ones. A reader that does not know a key shows the English label.
 */
export const TRACE_KEYS = [
  'memberPrice',
  'percentOff',
  'tierPercentOff',
  'earnRate',
  'tierEarnRate',
  'categoryEarnRate',
  'spendBand',
  'spendBandMarginal',
  'productExtraRate',
  'productPerUnit',
  'multiplier',
  'tierMultiplier',
  'welcomeBonus',
  'eventBonus',
  'referralAward',
  'depositBonus',
  'depositRatio',
  'capPerTransaction',
  'capPerDay',
  'rounding',
  'purchaseRounding',
  'tierUpgrade',
  'tierReview',
  'tierThreshold',
  'tierCounted',
  'paidUpgrade',
  'manualBonus',
  'giftRedeem',
  'pointsRebateValue',
  'pointsRebateGift',
  'timeCardUse',
  'countCardUse',
  'refundLine',
  /**
   * Not written by the engine: an outcome's line for a rule HQ labelled (params.label, as HQ wrote it), so a
   * receipt still words its amounts in its own language ("+45积分").
   */
  'ruleLabel',
] as const;

export type TraceKey = (typeof TRACE_KEYS)[number];

/** Parameters are plain JSON values: they are stored and sent with the entry. */
export type TraceParams = Readonly<Record<string, string | number | boolean>>;

export interface TraceText {
  key: TraceKey;
  params: TraceParams;
}

/**
 * One line of a transaction outcome's `trace` (strings, English) in keyed form: `at` is the index of the line it
 * renders, so lines the ledger adds in English around it (staff notes, referral credits) keep their place.
 * `key` is a plain string on the wire so a kiosk reads a newer hub's keys (and falls back to the English line).
 */
export interface TraceLine {
  at: number;
  key: string;
  params: TraceParams;
  points?: number;
  cents?: number;
}

export function isTraceKey(key: string): key is TraceKey {
  return (TRACE_KEYS as readonly string[]).includes(key);
}
