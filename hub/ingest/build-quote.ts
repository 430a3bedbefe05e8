/**
 * Prices a basket for one member with the hub's latest rules, so the kiosk charges what the hub will apply:
 * member prices and discounts change the total, and a purchase whose payments do not add up to the hub's
 * total is refused (PAYMENT_MISMATCH). Until signed bundles reach kiosks, this is how a kiosk learns prices.
 */
import { evaluatePurchase, shortTrace } from '../../core/rules/engine.ts';
import type { Quote } from '../../core/wire/lookup.ts';
import type { PurchaseLineInput } from '../../core/rules/types.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';

export function buildQuote(store: Pick<LedgerStore, 'member' | 'latestRulesBundle'>, memberId: string, lines: PurchaseLineInput[], storeId: string): Quote | null {
  const member = store.member(memberId);
  const bundle = store.latestRulesBundle();
  if (!member || !bundle) return null;
  const evaluation = evaluatePurchase(bundle, {
    at: new Date().toISOString(),
    storeId,
    member: { memberId, tier: member.tier, cumulativeSpendCents: member.cumulativeSpendCents, cumulativePointsEarned: member.cumulativePointsEarned },
    lines,
    payments: [],
  });
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
