/**
 * Money for people on screens: integer cents → "¥1,234.56", by integer arithmetic only (never through a float).
 * Grouping by thousands is what both zh-CN and English readers expect for yuan amounts on a retail screen.
 * Display only; never parsed back into the ledger.
 */
import { formatCents, type Cents } from './integers.ts';

const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** 123456 → "¥1,234.56"; −5 → "−¥0.05" (a real minus sign, which reads better than a hyphen at screen sizes). */
export function formatYuan(cents: Cents): string {
  const [whole = '0', fraction = '00'] = formatCents(Math.abs(cents)).split('.');
  return `${cents < 0 ? '−' : ''}¥${group(whole)}.${fraction}`;
}

/** A change of money with its sign: "+¥50.00", "−¥12.00", "¥0.00". */
export function formatSignedYuan(cents: Cents): string {
  return cents > 0 ? `+${formatYuan(cents)}` : formatYuan(cents);
}

/** Whole points with thousands grouped: 12345 → "12,345" (the sign kept). */
export function formatPoints(points: number): string {
  return `${points < 0 ? '−' : ''}${group(String(Math.abs(points)))}`;
}
