/**
 * Review periods for tiers under the "reevaluate" downgrade policy: the local (bundle time zone) month,
 * quarter or year a transaction counts in, and the period that closed before a given instant.
 * Keys sort in time order as text: "2026", "2026-Q4", "2026-11".
 */
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import type { LocalClock } from './local-time.ts';

export interface TierPeriod {
  key: string;
  /** First instant of the period, ISO UTC. */
  start: string;
  /** First instant after the period, ISO UTC. */
  end: string;
}

type PeriodKind = 'month' | 'quarter' | 'year';

function reviewKind(bundle: RulesBundle): PeriodKind | null {
  const downgrade = compileBundle(bundle).tiers?.downgrade;
  return downgrade?.policy === 'reevaluate' ? downgrade.period : null;
}

/** The review period an instant falls in, or null when the bundle never re-evaluates tiers. */
export function tierPeriodAt(bundle: RulesBundle, at: string): TierPeriod | null {
  const kind = reviewKind(bundle);
  if (!kind) return null;
  const clock = compileBundle(bundle).clock;
  const local = clock.at(at);
  return periodContaining(clock, kind, local.year, local.month);
}

/** The review period that ended most recently before `now` (the one due for review), or null. */
export function lastClosedTierPeriod(bundle: RulesBundle, now: string): TierPeriod | null {
  const current = tierPeriodAt(bundle, now);
  if (!current) return null;
  return tierPeriodAt(bundle, new Date(Date.parse(current.start) - 1).toISOString());
}

function periodContaining(clock: LocalClock, kind: PeriodKind, year: number, month: number): TierPeriod {
  const firstMonth = kind === 'year' ? 1 : kind === 'quarter' ? Math.floor((month - 1) / 3) * 3 + 1 : month;
  const length = kind === 'year' ? 12 : kind === 'quarter' ? 3 : 1;
  const endMonthIndex = firstMonth - 1 + length; // 0-based months since January of `year`
  const endYear = year + Math.floor(endMonthIndex / 12);
  const endMonth = (endMonthIndex % 12) + 1;
  const key = kind === 'year' ? `${year}` : kind === 'quarter' ? `${year}-Q${(firstMonth + 2) / 3}` : `${year}-${String(month).padStart(2, '0')}`;
  return {
    key,
    start: new Date(clock.instantOfLocal(year, firstMonth, 1)).toISOString(),
    end: new Date(clock.instantOfLocal(endYear, endMonth, 1)).toISOString(),
  };
}
