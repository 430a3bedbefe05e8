/**
 * The member's next points expiry, for the member screen: when points next expire and how many.
 *
 * Only points that can still be spent count (lots with points left, not yet expired at `now`: spendableLots). The
 * points are those of every lot expiring on the same local day (the rules' time zone) as the soonest one, and
 * `nextAt` is that soonest instant: with an expiry of N days after earning, each purchase's lot expires at its own
 * time of day, and "35 points expire on 4 March" is what a member can act on — using them before `nextAt` saves
 * all of them. With end-of-month or end-of-year expiry every lot of the period shares one instant anyway.
 * null: no points expire (none left, or only never-expiring lots).
 */
import type { RulesBundle } from '../rules/bundle.ts';
import { compileBundle } from '../rules/compile.ts';
import { spendableLots } from './point-lots.ts';
import type { PointLot } from './types.ts';

export interface NextPointsExpiry {
  nextAt: string;
  points: number;
}

export function nextPointsExpiry(bundle: RulesBundle, lots: readonly PointLot[], now: string): NextPointsExpiry | null {
  // Soonest-expiring first, never-expiring last.
  const expiring = spendableLots(lots, now).filter((lot): lot is PointLot & { expiresAt: string } => lot.expiresAt !== null);
  const first = expiring[0];
  if (!first) return null;
  const clock = compileBundle(bundle).clock;
  const day = clock.at(first.expiresAt).yyyymmdd;
  let points = 0;
  for (const lot of expiring) {
    if (clock.at(lot.expiresAt).yyyymmdd !== day) break;
    points += lot.remaining;
  }
  return { nextAt: first.expiresAt, points };
}
