/**
 * Demo members, cards, staff and gifts, created on a hub's first start so `npm start` has someone to tap.
 * Card UIDs are fixed so the README's curl lines work. The opening balances are real ledger transactions
 * (HQ top-ups and an opening points grant) so the journal audit holds from the first second.
 */
import { submitHqTransaction } from '../hq/hq-transactions.ts';
import type { LedgerAdmin } from '../ledger/ledger-admin.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';

export const DEMO_STORE_ID = 'store-001';
export const DEMO_CARDS = {
  standard: '04A1B2C3D4E5F6',
  silver: '04B1B2C3D4E5F6',
  gold: '04C1B2C3D4E5F6',
  diamond: '04D1B2C3D4E5F6',
} as const;

export const DEMO_STAFF_CARD = 'A5AFF0000001';

export const DEMO_MEMBERS = [
  { memberId: 'M0001', name: 'Li Wei', phone: '13800138001', tier: 'standard', card: DEMO_CARDS.standard },
  { memberId: 'M0002', name: 'Wang Fang', phone: '13800138002', tier: 'silver', card: DEMO_CARDS.silver },
  { memberId: 'M0003', name: 'Zhang Min', phone: '13800138003', tier: 'gold', card: DEMO_CARDS.gold },
  { memberId: 'M0004', name: 'Chen Jing', phone: '13800138004', tier: 'diamond', card: DEMO_CARDS.diamond },
] as const;

/** Creates the demo data on a ledger that has none; resolves false when it was there already. */
export async function seedDemoData(store: Pick<LedgerStore, 'member' | 'applyHq'> & Pick<LedgerAdmin, 'createMember' | 'upsertStaff' | 'upsertGift'>): Promise<boolean> {
  if (await store.member('M0001')) return false;
  for (const m of DEMO_MEMBERS) {
    await store.createMember({ memberId: m.memberId, name: m.name, phone: m.phone, tier: m.tier, creditLimitCents: 0, cards: [{ uid: m.card }] });
  }
  await store.upsertStaff({ cardUid: DEMO_STAFF_CARD, name: 'Demo Cashier', role: 'store_manager', storeIds: [DEMO_STORE_ID], active: true });
  await store.upsertGift({ sku: 'GIFT-MUG', name: 'Coffee mug', pointsPrice: 500, stock: 50 });
  await store.upsertGift({ sku: 'GIFT-BAG', name: 'Tote bag', pointsPrice: 1200, stock: 20 });
  for (const opening of DEMO_OPENING) {
    await submitHqTransaction(store, { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: opening.card, amountCents: opening.topUpCents, tender: 'cash', staffCardUid: DEMO_STAFF_CARD });
    await submitHqTransaction(store, {
      kind: 'purchase',
      storeId: DEMO_STORE_ID,
      cardUid: opening.card,
      lines: [{ lineNo: 1, sku: 'OPENING', category: 'general', qty: 1, unitPriceCents: opening.purchaseCents }],
      payments: [{ method: 'cash', amountCents: opening.purchaseCents }],
    });
  }
  return true;
}

/** Opening balances for the demo members, as real top-ups and purchases through the ledger. */
export const DEMO_OPENING = [
  { card: DEMO_CARDS.standard, topUpCents: 20_000, purchaseCents: 5_000 },
  { card: DEMO_CARDS.silver, topUpCents: 50_000, purchaseCents: 30_000 },
  { card: DEMO_CARDS.gold, topUpCents: 100_000, purchaseCents: 80_000 },
  { card: DEMO_CARDS.diamond, topUpCents: 200_000, purchaseCents: 150_000 },
] as const;
