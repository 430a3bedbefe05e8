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
import type { MemberProfileStore } from '../ledger/member-profile-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import { DEFAULT_TIMEZONE } from '../../core/rules/compile.ts';
import { clockFor } from '../../core/rules/local-time.ts';
import { CONSENT_PURPOSE_RECORDED } from '../ledger/sqlite/registration-consents.ts';

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

/**
 * The demo of the hub's flows: a member whose birthday is the day the demo was seeded (in the chain's time zone) and
 * who agreed to marketing messages, so the shipped birthday flow has someone to grant and message on the first day;
 * and the staff account the demo's flows act as (a region manager of every store, with no card and no password:
 * nobody signs in as it). Apart from seedDemoData, so the demo members the tests count stay the four they are.
 */
export const DEMO_BIRTHDAY_MEMBER = { memberId: 'M0005', name: '赵小红 Zhao Xiaohong', phone: '13800138005', tier: 'standard', card: '04E1B2C3D4E5F6' } as const;
export const DEMO_FLOW_STAFF_NAME = '自动化流程';
/** The demo store's technician, who may open the kiosk's and the hub's Node-RED editors. */
export const DEMO_TECH_NAME = '演示技术员 Demo Technician';
export const DEMO_TECH_LOGIN = 'tech';
export const DEMO_TECH_PASSWORD = 'demo-tech-password';

export interface DemoAutomation {
  /** Whether anything was created now (false: it was all there). */
  created: boolean;
  memberId: string;
  /** The staff id the demo's flows act as (the hub's `actAs`). */
  flowStaffId: string;
}

/** Creates what is missing of the flows' demo (after seedDemoData) and answers the flows' staff id; `now` dates the birthday. */
export async function seedDemoAutomation(
  store: Pick<LedgerStore, 'member'> & Pick<LedgerAdmin, 'createMember'> & Pick<RulesStore, 'latestRulesBundle'> & { identity: IdentityStore; memberProfiles: MemberProfileStore },
  options: { now?: number; logger?: Logger } = {},
): Promise<DemoAutomation> {
  const now = options.now ?? Date.now();
  const at = new Date(now).toISOString();
  let created = false;
  let flowStaff = (await store.identity.listStaff()).find((s) => s.name === DEMO_FLOW_STAFF_NAME);
  if (!flowStaff) {
    const identity = createIdentityService({ store: store.identity, logger: options.logger ?? pino({ level: 'silent' }) });
    flowStaff = await identity.addStaff({ name: DEMO_FLOW_STAFF_NAME, role: 'region_manager', storeIds: ['*'] }, { kind: 'system', id: 'demo-seed', surface: 'hub' });
    created = true;
  }
  if (!(await store.identity.listStaff()).some((s) => s.name === DEMO_TECH_NAME)) {
    const identity = createIdentityService({ store: store.identity, logger: options.logger ?? pino({ level: 'silent' }) });
    await identity.addStaff({ name: DEMO_TECH_NAME, role: 'technician', storeIds: [DEMO_STORE_ID], login: DEMO_TECH_LOGIN, password: DEMO_TECH_PASSWORD }, { kind: 'system', id: 'demo-seed', surface: 'hub' });
    created = true;
  }
  const m = DEMO_BIRTHDAY_MEMBER;
  if (!(await store.member(m.memberId))) {
    await store.createMember({ memberId: m.memberId, name: m.name, phone: m.phone, tier: m.tier, creditLimitCents: 0, homeStoreId: DEMO_STORE_ID, cards: [{ uid: m.card }] });
    const today = clockFor((await store.latestRulesBundle())?.timezone ?? DEFAULT_TIMEZONE).fields(now);
    // 1992: a leap year, so a demo seeded on 29 February has a birthday that exists.
    const birthday = `1992-${String(today.month).padStart(2, '0')}-${String(today.day).padStart(2, '0')}`;
    await store.memberProfiles.updateProfile(m.memberId, { birthday }, at);
    await store.memberProfiles.addConsent({ memberId: m.memberId, purpose: CONSENT_PURPOSE_RECORDED.marketing, granted: true, at, staffId: 'demo-seed', note: 'demo: agreed to marketing messages' });
    created = true;
  }
  return { created, memberId: m.memberId, flowStaffId: flowStaff.staffId };
}
