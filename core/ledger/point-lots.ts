import { CodedError } from '../errors/coded-error.ts';
import type { Points } from '../money/integers.ts';
import type { PointLot, Posting } from './types.ts';

/** Lots that can still be spent at `at`, soonest-expiring first (never-expiring last, then oldest first). */
export function spendableLots(lots: readonly PointLot[], at: string): PointLot[] {
  return lots
    .filter((lot) => lot.remaining > 0 && (lot.expiresAt === null || lot.expiresAt > at))
    .sort((a, b) => compareExpiry(a, b) || (a.earnedAt < b.earnedAt ? -1 : a.earnedAt > b.earnedAt ? 1 : a.lotId < b.lotId ? -1 : 1));
}

function compareExpiry(a: PointLot, b: PointLot): number {
  if (a.expiresAt === b.expiresAt) return 0;
  if (a.expiresAt === null) return 1;
  if (b.expiresAt === null) return -1;
  return a.expiresAt < b.expiresAt ? -1 : 1;
}

/** Draws `points` from the soonest-expiring lots; the postings name each lot so a refund can give back to it. */
export function drawPoints(lots: readonly PointLot[], points: Points, at: string): { postings: Posting[]; drawn: { lotId: string; points: Points }[] } {
  const drawn: { lotId: string; points: Points }[] = [];
  let left = points;
  for (const lot of spendableLots(lots, at)) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    drawn.push({ lotId: lot.lotId, points: take });
    left -= take;
  }
  if (left > 0) {
    throw new CodedError('INSUFFICIENT_POINTS', `needs ${points} points, ${points - left} available`, { needed: points, available: points - left });
  }
  return { postings: drawn.map((d) => ({ account: 'points', amount: -d.points, lotId: d.lotId })), drawn };
}

/** Points paid in a sale taken offline: what the lots hold is drawn, the rest owed on `shortfall_points`. */
export function drawPointsWithShortfall(lots: readonly PointLot[], points: Points, at: string): { postings: Posting[]; drawn: { lotId: string; points: Points }[]; owedPoints: Points } {
  const available = spendableLots(lots, at).reduce((sum, lot) => sum + Math.max(lot.remaining, 0), 0);
  const covered = Math.min(points, available);
  const drawn = covered > 0 ? drawPoints(lots, covered, at) : { postings: [], drawn: [] };
  const owedPoints = points - covered;
  return { ...drawn, postings: owedPoints > 0 ? [...drawn.postings, { account: 'shortfall_points', amount: owedPoints }] : drawn.postings, owedPoints };
}

/**
 * Takes back up to `points` (a refund reversing earned points): from `preferredLotId` first, then the
 * soonest-expiring others, even expired ones that were not swept yet. What cannot be taken is owed.
 */
export function takeBackPoints(lots: readonly PointLot[], points: Points, preferredLotId: string | null): { postings: Posting[]; owed: Points } {
  const order = [...lots].sort((a, b) => (a.lotId === preferredLotId ? -1 : b.lotId === preferredLotId ? 1 : compareExpiry(a, b)));
  const postings: Posting[] = [];
  let left = points;
  for (const lot of order) {
    if (left === 0) break;
    const take = Math.min(Math.max(lot.remaining, 0), left);
    if (take === 0) continue;
    postings.push({ account: 'points', amount: -take, lotId: lot.lotId });
    left -= take;
  }
  return { postings, owed: left };
}
