import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';

/**
 * The local day (bundle time zone) a per-day points cap counts in, e.g. 20261224, or null when the bundle
 * has no per-day cap: then nobody needs to count points per day at all.
 */
export function dailyCapDay(bundle: RulesBundle, at: string): number | null {
  const compiled = compileBundle(bundle);
  if (compiled.settings.capPerDay === null) return null;
  return compiled.clock.at(at).yyyymmdd;
}
