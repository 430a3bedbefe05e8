/**
 * What a kiosk may offer one member right now: gifts with stock left, the paid upgrades the latest rules
 * bundle offers from the member's tier, and the terms for paying with points. The latest bundle, because a
 * kiosk names version 0 until signed bundles reach kiosks and the hub then applies its latest: offering from
 * any other bundle would show upgrades the hub then refuses.
 */
import { decimalToScaled } from '../../core/rules/decimal.ts';
import type { Catalog } from '../../core/wire/lookup.ts';
import type { LedgerAdmin } from '../ledger/ledger-admin.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';

export async function buildCatalog(
  store: Pick<LedgerStore, 'member'> & Pick<LedgerAdmin, 'listGifts'> & Pick<RulesStore, 'latestRulesBundle'>,
  memberId: string,
  /** The asking kiosk's store's own stock rows (gift_store_stock): for those gifts its stock, not the chain's. */
  storeStock: readonly { sku: string; stock: number }[] = [],
): Promise<Catalog | null> {
  const member = await store.member(memberId);
  if (!member) return null;
  const bundle = await store.latestRulesBundle();
  // A store that keeps its own stock of a gift redeems it from that stock only (sqlite-write-port.ts): offer what it has.
  const own = new Map(storeStock.map((row) => [row.sku, row.stock]));
  const gifts = (await store.listGifts()).map((gift) => ({ ...gift, stock: own.get(gift.sku) ?? gift.stock }));
  const payment = bundle?.pointsPayment;
  return {
    memberId,
    tier: member.tier,
    bundleVersion: bundle?.version ?? 0,
    gifts: gifts.filter((g) => g.stock > 0),
    upgrades: (bundle?.tiers?.paidUpgrades ?? []).filter((u) => u.from === member.tier).map((u) => ({ to: u.to, points: u.points })),
    pointsPayment: payment
      ? { pointsPerYuan: payment.pointsPerYuan, maxShareBasisPoints: decimalToScaled(payment.maxShare ?? '1'), minPoints: payment.minPoints ?? 0 }
      : null,
  };
}
