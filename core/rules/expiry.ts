/**
 * When earned points expire: N days after earning, at the end of the (local) month or year they were earned
 * in (optionally some months/years later), or never. End of month/year is the last millisecond before the
 * next local month/year starts, as a UTC ISO instant.
 */
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import type { CompiledBundle, Expiry } from './compiled-types.ts';
import type { LocalTime } from './local-time.ts';

const DAY_MS = 86_400_000;

/**
 * When points earned at `earnedAt` expire. `tier` is the member's tier when earning: `points.expiryByTier` picks
 * its expiry, a tier not listed (or no tier given) uses `points.expiry`.
 */
export function pointsExpiry(bundle: RulesBundle, earnedAt: string, tier?: string): string | null {
  const compiled = compileBundle(bundle);
  return expiryFrom(compiled, compiled.clock.at(earnedAt), tier);
}

/** The expiry rule for points earned in this tier. */
export function expiryRuleFor(compiled: CompiledBundle, tier: string | undefined): Expiry {
  return (tier === undefined ? undefined : compiled.settings.expiryByTier.get(tier)) ?? compiled.settings.expiry;
}

/** End-of-month/year expiry depends only on the local date (and the rule): remember the last one per compiled bundle. */
const lastByBundle = new WeakMap<CompiledBundle, { yyyymmdd: number; expiry: Expiry; expiresAt: string | null }>();

export function expiryFrom(compiled: CompiledBundle, local: LocalTime, tier?: string): string | null {
  const expiry = expiryRuleFor(compiled, tier);
  if (expiry.kind !== 'end_of_month' && expiry.kind !== 'end_of_year') return computeExpiry(compiled, expiry, local);
  const last = lastByBundle.get(compiled);
  if (last !== undefined && last.yyyymmdd === local.yyyymmdd && last.expiry === expiry) return last.expiresAt;
  const expiresAt = computeExpiry(compiled, expiry, local);
  lastByBundle.set(compiled, { yyyymmdd: local.yyyymmdd, expiry, expiresAt });
  return expiresAt;
}

function computeExpiry(compiled: CompiledBundle, expiry: Expiry, local: LocalTime): string | null {
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
