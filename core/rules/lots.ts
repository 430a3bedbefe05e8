/**
 * Points lots, pure: spending consumes the soonest-expiring lots first (lots that never expire last, then
 * by the order given), and records which lots it used so a refund can give the same points back.
 */
import { CodedError } from '../errors/coded-error.ts';

export interface PointsLot {
  lotId: string;
  points: number;
  /** ISO instant; null: never expires. */
  expiresAt: string | null;
}

export interface LotUse {
  lotId: string;
  points: number;
}

/** Which lots pay `points`, soonest-expiring first. Throws INSUFFICIENT_POINTS when the lots do not cover it. */
export function consumeLots(lots: readonly PointsLot[], points: number, at?: string): LotUse[] {
  const now = at === undefined ? Number.NEGATIVE_INFINITY : Date.parse(at);
  const usable = lots
    .map((lot, index) => ({ lot, index, expires: lot.expiresAt === null ? Number.POSITIVE_INFINITY : Date.parse(lot.expiresAt) }))
    .filter(({ lot, expires }) => lot.points > 0 && expires > now)
    .sort((a, b) => a.expires - b.expires || a.index - b.index);
  const uses: LotUse[] = [];
  let left = points;
  for (const { lot } of usable) {
    if (left === 0) break;
    const take = Math.min(left, lot.points);
    uses.push({ lotId: lot.lotId, points: take });
    left -= take;
  }
  if (left > 0) throw new CodedError('INSUFFICIENT_POINTS', `needs ${points} points, the usable lots hold ${points - left}`);
  return uses;
}

/**
 * Giving `points` back to the lots a spend used (a partial refund of a points payment): in the order the
 * spend consumed them, never more to a lot than the spend took from it.
 */
export function returnToLots(spent: readonly LotUse[], points: number): LotUse[] {
  const back: LotUse[] = [];
  let left = points;
  for (const use of spent) {
    if (left === 0) break;
    const give = Math.min(left, use.points);
    back.push({ lotId: use.lotId, points: give });
    left -= give;
  }
  if (left > 0) throw new CodedError('REFUND_BAD_LINES', `cannot give back ${points} points: the spend used only ${points - left}`);
  return back;
}
