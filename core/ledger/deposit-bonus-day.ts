/**
 * The day a `deposit_ratio` per-day cap (capPerDayCents, 赠款 per member per day) counts in. The ledger keeps what
 * each member received per local day (member_daily_deposit_bonus) only while a rule caps by day: without one
 * nobody needs the count, and a top-up costs no extra read or write.
 */
import type { RulesBundle } from '../rules/bundle.ts';
import { compileBundle } from '../rules/compile.ts';

/**
 * The local day (bundle time zone, the engine's own clock, e.g. 20250110) a top-up at `at` counts in, or null when
 * no deposit rule of the bundle has a per-day cap.
 */
export function depositBonusDay(bundle: RulesBundle, at: string): number | null {
  const compiled = compileBundle(bundle);
  const capped = compiled.stages.depositBonuses.some((rule) => rule.kind === 'deposit_ratio' && rule.capPerDayCents !== null);
  return capped ? compiled.clock.at(at).yyyymmdd : null;
}
