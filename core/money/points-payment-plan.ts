/**
 * How much of a bill a member's points may pay, under the points-payment terms the hub's catalogue gives
 * (core/wire/lookup.ts catalogSchema.pointsPayment): at most the bill's max share, at most the balance, a whole
 * number of cents whose points are a whole number too (points × 100 / pointsPerYuan must be an integer, as the
 * hub checks), and at least the minimum. Integers only: the share comes as basis points. The kiosk screen offers
 * exactly this, so the hub never refuses what the screen proposed (POINTS_PAYMENT_OVER_SHARE / UNDER_MINIMUM).
 */
export interface PointsPaymentTerms {
  pointsPerYuan: number;
  /** 10 000 = the whole bill. */
  maxShareBasisPoints: number;
  minPoints: number;
}

export interface PointsPaymentPlan {
  points: number;
  cents: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The most points may pay of `totalCents` with `balancePoints`; null when points cannot pay any of it. */
export function pointsPaymentPlan(totalCents: number, balancePoints: number, terms: PointsPaymentTerms): PointsPaymentPlan | null {
  if (totalCents <= 0 || balancePoints <= 0 || terms.pointsPerYuan <= 0) return null;
  const byShare = Math.floor((totalCents * terms.maxShareBasisPoints) / 10_000);
  const byBalance = Math.floor((balancePoints * 100) / terms.pointsPerYuan);
  // The smallest number of cents that a whole number of points pays.
  const step = 100 / gcd(terms.pointsPerYuan, 100);
  let cents = Math.min(byShare, byBalance);
  cents -= cents % step;
  const points = (cents * terms.pointsPerYuan) / 100;
  if (cents <= 0 || points < terms.minPoints) return null;
  return { points, cents };
}
