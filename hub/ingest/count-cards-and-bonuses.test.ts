import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { DEMO_CARDS, DEMO_STAFF_CARD } from '../demo/seed-demo-data.ts';
import { buildApp } from '../http/build-app.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

/** The default plan plus a 10-visit car-wash card (365 days), a gym card until 2025-12-31, manual bonuses ≤ 5000 for three reasons. */
const CARDS_BUNDLE: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 3,
  cards: [
    { sku: 'WASH-10', serviceId: 'car-wash', punches: 10, validDays: 365 },
    { sku: 'GYM-2025', serviceId: 'gym', validUntil: '2025-12-31' },
  ],
  manualBonus: { maxPoints: 5000, reasons: ['complaint', 'birthday', 'goodwill'] },
};
const HQ_ADMIN_CARD = 'A5AFF00000A1';
const CARD = DEMO_CARDS.standard;

describe('count cards and HQ manual bonuses (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    await env.hub.store.saveRulesBundle(CARDS_BUNDLE);
    await env.hub.store.upsertStaff({ cardUid: HQ_ADMIN_CARD, name: 'HQ Admin', role: 'hq_admin', storeIds: ['*'], active: true });
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-cards', await enrolForTest(env, 'kiosk-cards'));
  });

  afterEach(async () => {
    await device.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  const send = (body: Parameters<RawDeviceClient['make']>[0], createdAt?: string) =>
    device.send(device.make(body, { bundleVersion: 3, ...(createdAt ? { createdAt } : {}) }));
  const buyWash = () =>
    send({ kind: 'purchase', cardUid: CARD, lines: [{ lineNo: 1, sku: 'WASH-10', category: 'services', qty: 1, unitPriceCents: 30_000 }, { lineNo: 2, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: 1_000 }], payments: [{ method: 'cash', amountCents: 31_000 }] });
  const punch = (serviceId = 'car-wash', createdAt?: string) => send({ kind: 'punch_card_use', cardUid: CARD, serviceId }, createdAt);
  const serviceCards = async () => (await env.hub.store.memberViewByCard(CARD))!.serviceCards;

  it('a 10-visit card gives 10 punches; 3 uses leave 7 in the member view; the 11th use is refused', async () => {
    const bought = await buyWash();
    expect(bought.status).toBe('applied');
    expect(await serviceCards()).toEqual([{ serviceId: 'car-wash', punchesLeft: 10, validUntil: expect.any(String) }]);
    for (let i = 0; i < 3; i += 1) expect((await punch()).status).toBe('applied');
    expect(await serviceCards()).toMatchObject([{ serviceId: 'car-wash', punchesLeft: 7 }]);
    const lookup = await device.lookup({ op: 'member.byCard', cardUid: CARD });
    expect(lookup).toMatchObject({ ok: true, member: { serviceCards: [{ serviceId: 'car-wash', punchesLeft: 7 }] } });
    for (let i = 0; i < 7; i += 1) expect((await punch()).status).toBe('applied');
    expect(await punch()).toMatchObject({ status: 'rejected', code: 'PUNCH_CARD_EXHAUSTED' });
    expect(await serviceCards()).toMatchObject([{ punchesLeft: 0 }]);
    expect(await punch('sauna')).toMatchObject({ status: 'rejected', code: 'PUNCH_CARD_UNKNOWN' });
  });

  it('a time card is refused after its last day', async () => {
    const bought = await send(
      { kind: 'purchase', cardUid: CARD, lines: [{ lineNo: 1, sku: 'GYM-2025', category: 'services', qty: 1, unitPriceCents: 99_900 }], payments: [{ method: 'cash', amountCents: 99_900 }] },
      '2025-06-01T02:00:00.000Z',
    );
    expect(bought.status).toBe('applied');
    expect(await serviceCards()).toEqual([{ serviceId: 'gym', punchesLeft: null, validUntil: '2025-12-31T15:59:59.999Z' }]);
    // 2025-12-31 23:30 and 2026-01-01 00:30 in Shanghai.
    expect((await punch('gym', '2025-12-31T15:30:00.000Z')).status).toBe('applied');
    expect(await punch('gym', '2025-12-31T16:30:00.000Z')).toMatchObject({ status: 'rejected', code: 'CARD_EXPIRED' });
  });

  it('refunding the card line takes back the 7 punches left; the 3 used stay used', async () => {
    const bought = await buyWash();
    for (let i = 0; i < 3; i += 1) await punch();
    const refund = await send({ kind: 'refund', cardUid: CARD, purchaseTxId: bought.id!, lineNos: [1], staffCardUid: DEMO_STAFF_CARD });
    expect(refund.status).toBe('applied');
    expect(refund.outcome?.trace).toContain('count card: 7 visits taken back, 3 already used');
    expect(await serviceCards()).toMatchObject([{ serviceId: 'car-wash', punchesLeft: 0 }]);
    // The card ended with the refund: a later visit is refused as expired.
    expect(await punch()).toMatchObject({ status: 'rejected', code: 'CARD_EXPIRED' });
  });

  describe('manual bonus', () => {
    const app = () => buildApp({ store: env.hub.store, brokerUrl: env.brokerUrl, memberIds: async () => [] });
    const memberId = async () => (await env.hub.store.memberViewByCard(CARD))!.memberId;

    it('from HQ through the admin endpoint: applied, in the history, with who and why kept on the transaction', async () => {
      const before = (await env.hub.store.memberViewByCard(CARD))!.balances.points;
      const response = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, payload: { points: 300, reason: 'complaint', staffCardUid: HQ_ADMIN_CARD } });
      expect(response.statusCode).toBe(200);
      const result = response.json<TxResult>();
      expect(result).toMatchObject({ status: 'applied', outcome: { kind: 'manual_bonus', pointsEarned: 300, balances: { points: before + 300 } } });
      const view = (await env.hub.store.memberViewById(await memberId(), 50))!;
      expect(view.balances.points).toBe(before + 300);
      expect(view.history).toContainEqual(expect.objectContaining({ txId: result.id, kind: 'manual_bonus', pointsDelta: 300, status: 'applied' }));
      // A correction takes points back.
      const correction = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, payload: { points: -100, reason: 'goodwill', staffCardUid: HQ_ADMIN_CARD } });
      expect(correction.json<TxResult>()).toMatchObject({ status: 'applied', outcome: { pointsSpent: 100, balances: { points: before + 200 } } });
      const db = new Database(join(env.dataDir, 'ledger.sqlite'), { readonly: true });
      try {
        const row = db.prepare<[string], { device_id: string; payload: string }>('SELECT device_id, payload FROM transactions WHERE tx_id = ?').get(result.id!);
        expect(row?.device_id).toBe('hq');
        expect(JSON.parse(row!.payload)).toMatchObject({ kind: 'manual_bonus', points: 300, reason: 'complaint', staffCardUid: HQ_ADMIN_CARD });
      } finally {
        db.close();
      }
    });

    it('refuses a reason not in the list and a store manager, with 400 and the code; nothing is credited', async () => {
      const before = (await env.hub.store.memberViewByCard(CARD))!.balances.points;
      const badReason = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, payload: { points: 300, reason: 'because', staffCardUid: HQ_ADMIN_CARD } });
      expect(badReason.statusCode).toBe(400);
      expect(badReason.json()).toMatchObject({ status: 'rejected', code: 'MANUAL_BONUS_REFUSED' });
      const manager = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, payload: { points: 300, reason: 'complaint', staffCardUid: DEMO_STAFF_CARD } });
      expect(manager.statusCode).toBe(400);
      expect(manager.json()).toMatchObject({ status: 'rejected', code: 'STAFF_UNAUTHORIZED' });
      const unknown = await app().inject({ method: 'POST', url: '/api/members/NOBODY/manual-bonus', payload: { points: 300, reason: 'complaint', staffCardUid: HQ_ADMIN_CARD } });
      expect(unknown.statusCode).toBe(404);
      expect((await env.hub.store.memberViewByCard(CARD))!.balances.points).toBe(before);
    });

    it('sent by a kiosk, is refused with TX_NOT_ALLOWED_FROM_DEVICE even with an HQ admin card', async () => {
      const before = (await env.hub.store.memberViewByCard(CARD))!.balances.points;
      const result = await send({ kind: 'manual_bonus', cardUid: CARD, points: 300, reason: 'complaint', staffCardUid: HQ_ADMIN_CARD });
      expect(result).toMatchObject({ status: 'rejected', code: 'TX_NOT_ALLOWED_FROM_DEVICE' });
      expect((await env.hub.store.memberViewByCard(CARD))!.balances.points).toBe(before);
    });
  });
});
