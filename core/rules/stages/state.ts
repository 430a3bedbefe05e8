/**
 * The working state of one purchase evaluation, passed from stage to stage. Each stage fills in its own
 * fields; evaluate-purchase.ts turns the final state into the PurchaseEvaluation the callers see.
 */
import type { CompiledBundle, TransactionFacts } from '../compiled-types.ts';
import type { PurchaseContext, PurchaseLineInput, TraceEntry } from '../types.ts';

export interface LineState {
  input: PurchaseLineInput;
  grossCents: number;
  discountCents: number;
  netCents: number;
  paidWithPointsCents: number;
  paidWithPoints: number;
  earningCents: number;
  /** Micro-points from base rates (multipliers apply to these). */
  baseMicro: number;
  /** Micro-points after multipliers and fixed bonuses, before rounding. */
  micro: number;
  points: number;
}

export interface PurchaseState {
  compiled: CompiledBundle;
  ctx: PurchaseContext;
  facts: TransactionFacts;
  /** 1 at a rule's ordinal when the rule applies to this transaction (eligibility stage). */
  active: Uint8Array;
  lines: LineState[];
  trace: TraceEntry[];
}
