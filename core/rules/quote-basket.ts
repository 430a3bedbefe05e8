import type { PurchaseLineInput } from './types.ts';
import type { RulesBundle } from './bundle.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { shortTrace } from './short-trace.ts';

export interface BasketQuote {
  bundleVersion: number;
  subtotalCents: number;
  discountCents: number;
  totalCents: number;
  lines: { lineNo: number; netCents: number; discountCents: number }[];
  /** Points the basket earns when paid in money (a points payment earns less). */
  pointsEarned: number;
  trace: string[];
}

/**
 * What a basket costs one member under a bundle (member prices, discounts) and what it would earn: the hub
 * answers kiosks' quote look-ups with it, and a kiosk that holds the bundle prices with it while offline.
 */
export function quoteBasket(
  bundle: RulesBundle,
  ctx: { at: string; storeId: string; regionId?: string | undefined; member: { memberId: string; tier: string; cumulativeSpendCents: number; cumulativePointsEarned: number } },
  lines: PurchaseLineInput[],
): BasketQuote {
  // The store's region (when known) makes region-scoped rules apply, as at the hub.
  const evaluation = evaluatePurchase(bundle, { at: ctx.at, storeId: ctx.storeId, ...(ctx.regionId ? { regionId: ctx.regionId } : {}), member: ctx.member, lines, payments: [] });
  return {
    bundleVersion: bundle.version,
    subtotalCents: evaluation.subtotalCents,
    discountCents: evaluation.discountCents,
    totalCents: evaluation.totalCents,
    lines: evaluation.lines.map((l) => ({ lineNo: l.lineNo, netCents: l.netCents, discountCents: l.discountCents })),
    pointsEarned: evaluation.pointsEarned,
    trace: shortTrace(evaluation),
  };
}
