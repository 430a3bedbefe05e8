/**
 * One ledger history for the reports, applied through the ledger's own API to any back end, byte for byte the
 * same each time: fixed transaction ids (kiosk and HQ), fixed times (from 2026-10-01, kiosks' clocks moving
 * forward), so two ledgers built by it must answer every report alike (postgres-report-reads.test.ts). Two stores
 * with a kiosk each; purchases paid in cash, stored value and points; staff top-ups; registrations (some referred,
 * every referral awarding points); gift redemptions; sales on credit entered at HQ; members' profiles.
 */
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import pino from 'pino';
import type { StaffActor } from '../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STAFF_CARD, DEMO_STAFF_PIN, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { sale } from './busy-sqlite-ledger.ts';
import { demoCreditSale } from './demo-credit-sale.ts';

export const REPORT_STORE_B = 'store-002';
export const REPORT_HISTORY_FROM = Date.parse('2026-10-01T00:00:00.000Z');
const HOUR = 3_600_000;

/** The rules of the history: the default's, with credit terms and two card types. */
export const REPORT_BUNDLE: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 2,
  credit: { graceDays: 20 },
  cardTypes: { default: 'std', types: [{ typeId: 'std', label: '普通卡', class: 'personal' }, { typeId: 'gold-card', label: '金卡', class: 'personal' }] },
};

/** A ULID of the counter (fixed, so both back ends store the same ids). */
const idOf = (n: number) => `01JZE${String(n).padStart(21, '0')}`;

export async function writeReportLedger(ledger: Ledger, rounds = 24): Promise<TxResult[]> {
  const results: TxResult[] = [];
  await seedDemoData(ledger);
  await ledger.saveRulesBundle(REPORT_BUNDLE);
  const kiosks = { a: { deviceId: 'kiosk-ra', storeId: DEMO_STORE_ID, seq: 0 }, b: { deviceId: 'kiosk-rb', storeId: REPORT_STORE_B, seq: 0 } };
  for (const k of Object.values(kiosks)) {
    await ledger.identity.setDeviceStore(k.deviceId, k.storeId);
    await ledger.identity.setDeviceMode(k.deviceId, 'attended');
  }
  await ledger.credit.setCreditLimit('M0001', 50_000);
  // The manager signs in on kiosk a when each top-up is made (a session opened later does not cover an earlier time).
  const signIn = async (atIso: string): Promise<StaffActor> => {
    const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }), now: () => Date.parse(atIso) });
    const { session } = await identity.signInWithCard(kiosks.a.deviceId, DEMO_STAFF_CARD, DEMO_STAFF_PIN);
    return { staffId: session.staffId, sessionId: session.sessionId };
  };
  let ids = 0;
  const at = (round: number, minute: number) => new Date(REPORT_HISTORY_FROM + round * 29 * HOUR + minute * 60_000).toISOString();
  const apply = async (kiosk: { deviceId: string; storeId: string; seq: number }, createdAt: string, bodies: Record<string, unknown>[]) => {
    const items = bodies.map((body) => {
      kiosk.seq += 1;
      const payload = { v: TX_FORMAT, id: idOf(++ids), deviceId: kiosk.deviceId, epoch: 'E1', seq: kiosk.seq, createdAt, storeId: kiosk.storeId, bundleVersion: 2, ...body };
      return { topicDeviceId: kiosk.deviceId, parsed: parseLedgerTransaction(JSON.stringify(payload)) };
    });
    results.push(...(await ledger.applyBatch(items)));
  };
  const registered: string[] = [];
  for (let round = 0; round < rounds; round++) {
    await apply(kiosks.a, at(round, 5), [sale(DEMO_CARDS.gold, 1_000 + round * 7), sale(DEMO_CARDS.silver, 300 + round, 'stored_value', 2)]);
    const actor = await signIn(at(round, 19));
    await apply(kiosks.a, at(round, 20), [{ kind: 'top_up', cardUid: DEMO_CARDS.standard, amountCents: 2_000 + round, tender: round % 2 ? 'cash' : 'mobile', actor }]);
    await apply(kiosks.b, at(round, 40), [sale(DEMO_CARDS.diamond, 2_500, 'cash', 1 + (round % 3))]);
    if (round % 4 === 0) {
      const card = `C0${String(round).padStart(10, '0')}`;
      // Every other new member was referred by Zhang Min (gold), the others by nobody.
      const referrer = round % 8 === 0 ? { referrer: { memberId: 'M0003' } } : {};
      await apply(kiosks.b, at(round, 45), [{ kind: 'register_member', cardUid: card, name: `新会员 ${round}`, phone: `137${String(round).padStart(8, '0')}`, ...referrer }]);
      // The member id is derived from the registration's transaction id (core/ledger/plan-register-member.ts).
      registered.push(`M-${idOf(ids)}`);
      if (round % 8 === 4) await apply(kiosks.b, at(round, 50), [sale(card, 888)]);
    }
    if (round % 6 === 1) await apply(kiosks.a, at(round, 55), [{ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'P', category: 'grocery', qty: 1, unitPriceCents: 300 }], payments: [{ method: 'points', points: 300 }] }]);
    if (round % 6 === 3) await apply(kiosks.b, at(round, 58), [{ kind: 'redeem_gift', cardUid: DEMO_CARDS.diamond, giftSku: 'GIFT-MUG', qty: 1 }]);
    if (round % 5 === 2) results.push(await ledger.applyHq(demoCreditSale('CREDIT', 4_000 + round * 100), { createdAt: at(round, 59), id: idOf(++ids) }));
  }
  await ledger.memberProfiles.updateProfile('M0001', { gender: 'female', birthday: '1990-07-01' }, at(rounds, 0));
  await ledger.memberProfiles.updateProfile('M0003', { gender: 'male', birthday: '2001-11-20' }, at(rounds, 0));
  if (registered[0]) await ledger.memberProfiles.updateProfile(registered[0], { gender: 'other', birthday: '1955-01-31' }, at(rounds, 0));
  return results;
}
