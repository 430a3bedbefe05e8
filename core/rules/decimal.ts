/**
 * Exact fixed-point arithmetic for the engine's hot path. Rates and multipliers are written as decimal strings
 * with at most 4 decimals and compiled to integers scaled by SCALE (1.5 → 15 000). Points are carried through
 * the pipeline as micro-points (MICRO per point) and rounded to whole points at the end: once per purchase
 * (format 2), or per line (format 1; stages/caps-rounding.ts).
 *
 * mulDiv gives exactly the same result as mulDivFloor from core/money, but stays in doubles when the product
 * is a safe integer (BigInt costs ~100 ns per call, which is the whole budget of a rule).
 */
import { mulDivFloor } from '../money/integers.ts';

/** Decimal rates are integers × SCALE. */
export const SCALE = 10_000;
/** Points inside the pipeline are integers × MICRO. cents × (points per yuan × SCALE) = micro-points. */
export const MICRO = 1_000_000;

/** "1.5" → 15000. The schema guarantees the format; this does not re-validate. */
export function decimalToScaled(decimal: string): number {
  const dot = decimal.indexOf('.');
  if (dot < 0) return Number(decimal) * SCALE;
  const fraction = decimal.slice(dot + 1).padEnd(4, '0');
  return Number(decimal.slice(0, dot)) * SCALE + Number(fraction);
}

/** 15000 → "1.5", for labels. */
export function scaledToDecimal(scaled: number): string {
  const whole = Math.floor(scaled / SCALE);
  const fraction = scaled % SCALE;
  if (fraction === 0) return String(whole);
  return `${whole}.${String(fraction).padStart(4, '0').replace(/0+$/, '')}`;
}

/** floor(a × n / d) exactly, for integers a, n and positive integer d. */
export function mulDiv(a: number, n: number, d: number): number {
  // + 0 turns a -0 (from a negative a times 0) into 0, as BigInt arithmetic would.
  const product = a * n + 0;
  if (!Number.isSafeInteger(product)) return mulDivFloor(a, n, d);
  // The float quotient can be one off near an integer; the remainder check corrects it exactly.
  let q = Math.floor(product / d);
  const r = product - q * d;
  if (r < 0) q -= 1;
  else if (r >= d) q += 1;
  return q;
}

export type Rounding = 'floor' | 'half_up' | 'ceil';

/** Micro-points → whole points. */
export function roundMicro(micro: number, rounding: Rounding): number {
  switch (rounding) {
    case 'floor':
      return Math.floor(micro / MICRO);
    case 'ceil':
      return Math.ceil(micro / MICRO);
    case 'half_up':
      return Math.floor((micro + MICRO / 2) / MICRO);
  }
}
