/**
 * Demo members, cards, staff and gifts, created on a hub's first start so `npm start` has someone to tap.
 * Card UIDs are fixed so the README's curl lines work. The opening balances are real ledger transactions
 * (HQ top-ups and an opening points grant) so the journal audit holds from the first second.
 */
import pino, { type Logger } from 'pino';
import type { StaffActor } from '../../core/wire/transaction.ts';
import { submitHqTransaction } from '../hq/hq-transactions.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { LedgerAdmin } from '../ledger/ledger-admin.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';

export const DEMO_STORE_ID = 'store-001';
export const DEMO_CARDS = {
  standard: '04A1B2C3D4E5F6',
  silver: '04B1B2C3D4E5F6',
  gold: '04C1B2C3D4E5F6',
  diamond: '04D1B2C3D4E5F6',
} as const;

/** The demo store manager's staff card and PIN (a kiosk top-up: tap this card, type this PIN). */
export const DEMO_STAFF_CARD = 'A5AFF0000001';
export const DEMO_STAFF_PIN = '2468';
/** A demo cashier, who may top up but not refund or freeze. */
export const DEMO_CASHIER_CARD = 'A5AFF0000002';
export const DEMO_CASHIER_PIN = '1357';
/** The demo HQ admin's console login. A demo only: a real hub creates its first admin with `memberkiosk staff add`. */
export const DEMO_ADMIN_LOGIN = 'admin';
export const DEMO_ADMIN_PASSWORD = 'demo-admin-password';

export const DEMO_MEMBERS = [
  { memberId: 'M0001', name: 'Li Wei', phone: '13800138001', tier: 'standard', card: DEMO_CARDS.standard },
  { memberId: 'M0002', name: 'Wang Fang', phone: '13800138002', tier: 'silver', card: DEMO_CARDS.silver },
  { memberId: 'M0003', name: 'Zhang Min', phone: '13800138003', tier: 'gold', card: DEMO_CARDS.gold },
  { memberId: 'M0004', name: 'Chen Jing', phone: '13800138004', tier: 'diamond', card: DEMO_CARDS.diamond },
] as const;

/** Creates the demo data on a ledger that has none; resolves false when it was there already. */
export async function seedDemoData(
  store: Pick<LedgerStore, 'member' | 'applyHq'> & Pick<LedgerAdmin, 'createMember' | 'upsertGift'> & { identity: IdentityStore },
  logger: Logger = pino({ level: 'silent' }),
): Promise<boolean> {
  if (await store.member('M0001')) return false;
  for (const m of DEMO_MEMBERS) {
    // The demo store issued every demo card: its manager sees these members.
    await store.createMember({ memberId: m.memberId, name: m.name, phone: m.phone, tier: m.tier, creditLimitCents: 0, homeStoreId: DEMO_STORE_ID, cards: [{ uid: m.card }] });
  }
  const identity = createIdentityService({ store: store.identity, logger });
  const seeder = { kind: 'system', id: 'demo-seed', surface: 'hub' } as const;
  await identity.addStaff({ name: '演示店长 Demo Manager', role: 'store_manager', storeIds: [DEMO_STORE_ID], cardUid: DEMO_STAFF_CARD, pin: DEMO_STAFF_PIN }, seeder);
  await identity.addStaff({ name: '演示收银员 Demo Cashier', role: 'cashier', storeIds: [DEMO_STORE_ID], cardUid: DEMO_CASHIER_CARD, pin: DEMO_CASHIER_PIN }, seeder);
  await identity.addStaff({ name: '演示总部管理员 Demo HQ Admin', role: 'hq_admin', storeIds: ['*'], login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD }, seeder);
  // The opening balances are top-ups like any other: made by the HQ admin, signed in.
  const { session } = await identity.login(DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, 'hub');
  const actor: StaffActor = { staffId: session.staffId, sessionId: session.sessionId };
  await store.upsertGift({ sku: 'GIFT-MUG', name: 'Coffee mug', pointsPrice: 500, stock: 50 });
  await store.upsertGift({ sku: 'GIFT-BAG', name: 'Tote bag', pointsPrice: 1200, stock: 20 });
  for (const opening of DEMO_OPENING) {
    await submitHqTransaction(store, { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: opening.card, amountCents: opening.topUpCents, tender: 'cash', actor });
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
