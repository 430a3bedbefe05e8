/**
 * When earned points expire: N days after earning, at the end of the (local) month or year they were earned
 * in (optionally some months/years later), or never. End of month/year is the last millisecond before the
 * next local month/year starts, as a UTC ISO instant.
 */
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import type { CompiledBundle } from './compiled-types.ts';
import type { LocalTime } from './local-time.ts';

const DAY_MS = 86_400_000;

export function pointsExpiry(bundle: RulesBundle, earnedAt: string): string | null {
  const compiled = compileBundle(bundle);
  return expiryFrom(compiled, compiled.clock.at(earnedAt));
}

/** End-of-month/year expiry depends only on the local date: remember the last one per compiled bundle. */
const lastByBundle = new WeakMap<CompiledBundle, { yyyymmdd: number; expiresAt: string | null }>();

export function expiryFrom(compiled: CompiledBundle, local: LocalTime): string | null {
  const kind = compiled.settings.expiry.kind;
  if (kind !== 'end_of_month' && kind !== 'end_of_year') return computeExpiry(compiled, local);
  const last = lastByBundle.get(compiled);
  if (last !== undefined && last.yyyymmdd === local.yyyymmdd) return last.expiresAt;
  const expiresAt = computeExpiry(compiled, local);
  lastByBundle.set(compiled, { yyyymmdd: local.yyyymmdd, expiresAt });
  return expiresAt;
}

function computeExpiry(compiled: CompiledBundle, local: LocalTime): string | null {
  const expiry = compiled.settings.expiry;
  switch (expiry.kind) {
    case 'never':
      return null;
    case 'days':
      return new Date(local.epochMs + expiry.days * DAY_MS).toISOString();
    case 'end_of_month': {
      // month is 1-based, so month + monthsLater taken mod 12, plus 1, is the month after the last one.
      const monthIndex = local.month + expiry.monthsLater;
      const nextYear = local.year + Math.floor(monthIndex / 12);
      const nextMonth = (monthIndex % 12) + 1;
      return new Date(compiled.clock.instantOfLocal(nextYear, nextMonth, 1) - 1).toISOString();
    }
    case 'end_of_year':
      return new Date(compiled.clock.instantOfLocal(local.year + expiry.yearsLater + 1, 1, 1) - 1).toISOString();
  }
}
