/**
 * Staff commission (员工提成) for a period, from the items its transactions contributed (commission-items.ts):
 * per staff member and consumption code, 總額提成 (a share of the amount) plus 次數提成 (a fixed amount per count),
 * by the staff member's level (员工级别), under the commission schedule of the rules version each item was applied
 * with. Integers only: rates are decimal strings compiled to ×10 000 (core/rules/decimal.ts).
 *
 * For one staff member, code and rules version: floor(Σamount × rate) + Σcount × perCountCents. The share is
 * taken of the sum, not per sale, so ten ¥9.99 sales at 5 % pay 4.99, not 10 × 0.49. A negative sum (a period
 * whose refunds outweigh its sales) rounds toward zero, so a clawback never takes more than the sales paid.
 */
import type { CommissionSchedule } from '../rules/bundle-accounts.ts';
import { decimalToScaled, mulDiv, SCALE } from '../rules/decimal.ts';
import type { CommissionItem } from './commission-items.ts';

/** The code that prices every code a level does not name. */
export const ANY_CODE = '*';

export interface CommissionCodeLine {
  code: string;
  amountCents: number;
  count: number;
  commissionCents: number;
}

export interface StaffCommission {
  staffId: string;
  /** The level the staff member holds now; null: none set (no commission, the amounts are still shown). */
  level: string | null;
  codes: CommissionCodeLine[];
  totalCents: number;
}

export interface CommissionPricing {
  levelOf(staffId: string): string | null;
  /** The commission schedule of a rules version; undefined when that version has none (or is not known). */
  scheduleOf(bundleVersion: number): CommissionSchedule | undefined;
}

type Rate = { rate?: string | undefined; perCountCents?: number | undefined };

/** The rate a level pays for a code: the code's own entry, else the level's `*`, else none. */
export function commissionRateFor(schedule: CommissionSchedule | undefined, level: string | null, code: string): Rate | undefined {
  if (!schedule || level === null) return undefined;
  const rates = schedule.levels[level];
  if (!rates) return undefined;
  return rates[code] ?? rates[ANY_CODE];
}

/** floor(amount × rate) for a positive amount, toward zero for a negative one. */
export function shareOf(amountCents: number, rate: string): number {
  const scaled = decimalToScaled(rate);
  return amountCents >= 0 ? mulDiv(amountCents, scaled, SCALE) : -mulDiv(-amountCents, scaled, SCALE);
}

export function commissionOf(rate: Rate | undefined, amountCents: number, count: number): number {
  if (!rate) return 0;
  return (rate.rate !== undefined ? shareOf(amountCents, rate.rate) : 0) + count * (rate.perCountCents ?? 0);
}

export function computeCommission(items: readonly CommissionItem[], pricing: CommissionPricing): StaffCommission[] {
  // staff → code → rules version → sums
  const sums = new Map<string, Map<string, Map<number, { amountCents: number; count: number }>>>();
  for (const item of items) {
    const byCode = sums.get(item.staffId) ?? new Map<string, Map<number, { amountCents: number; count: number }>>();
    sums.set(item.staffId, byCode);
    const byVersion = byCode.get(item.code) ?? new Map<number, { amountCents: number; count: number }>();
    byCode.set(item.code, byVersion);
    const sum = byVersion.get(item.bundleVersion) ?? { amountCents: 0, count: 0 };
    sum.amountCents += item.amountCents;
    sum.count += item.count;
    byVersion.set(item.bundleVersion, sum);
  }
  const report: StaffCommission[] = [];
  for (const staffId of [...sums.keys()].sort()) {
    const level = pricing.levelOf(staffId);
    const byCode = sums.get(staffId)!;
    const codes: CommissionCodeLine[] = [];
    for (const code of [...byCode.keys()].sort()) {
      const line: CommissionCodeLine = { code, amountCents: 0, count: 0, commissionCents: 0 };
      for (const [version, sum] of byCode.get(code)!) {
        line.amountCents += sum.amountCents;
        line.count += sum.count;
        line.commissionCents += commissionOf(commissionRateFor(pricing.scheduleOf(version), level, code), sum.amountCents, sum.count);
      }
      codes.push(line);
    }
    report.push({ staffId, level, codes, totalCents: codes.reduce((total, line) => total + line.commissionCents, 0) });
  }
  return report;
}
