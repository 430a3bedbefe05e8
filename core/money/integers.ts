/**
 * Money is integer cents and points are whole points: never floats. These guards sit at every boundary
 * where a number enters the domain, so a 0.1 + 0.2 never reaches a balance.
 */
import { CodedError } from '../errors/coded-error.ts';

export type Cents = number;
export type Points = number;

export function isSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function assertCents(value: unknown, what = 'amount'): asserts value is Cents {
  if (!isSafeInteger(value)) {
    throw new CodedError('MONEY_NOT_INTEGER', `${what} must be an integer number of cents, got ${String(value)}`);
  }
}

export function assertPoints(value: unknown, what = 'points'): asserts value is Points {
  if (!isSafeInteger(value)) {
    throw new CodedError('MONEY_NOT_INTEGER', `${what} must be a whole number of points, got ${String(value)}`);
  }
}

/**
 * amount × numerator / denominator, rounded toward negative infinity, in exact integer arithmetic.
 * Rates are written as rationals (e.g. 1.5 points per yuan = 3/200 points per cent) so no float ever
 * multiplies money. BigInt keeps the intermediate product exact even for large amounts.
 */
export function mulDivFloor(amount: number, numerator: number, denominator: number): number {
  if (denominator <= 0) throw new CodedError('MONEY_BAD_RATE', 'rate denominator must be positive');
  const product = BigInt(amount) * BigInt(numerator);
  const d = BigInt(denominator);
  let q = product / d;
  if (product % d !== 0n && product < 0n) q -= 1n;
  return Number(q);
}

/** Sum of integers that stays exact; throws when the sum leaves the safe-integer range. */
export function sumIntegers(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  if (!Number.isSafeInteger(total)) throw new CodedError('MONEY_OVERFLOW', 'sum left the safe integer range');
  return total;
}

/** Formats cents for people: 12345 → "123.45". Display only; never parsed back into the ledger. */
export function formatCents(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
