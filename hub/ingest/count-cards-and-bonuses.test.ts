import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import { hqAdminLogin, kioskStaffActor } from '../testing/staff-actor.ts';
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
const CARD = DEMO_CARDS.standard;

describe('count cards and HQ manual bonuses (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    await env.hub.store.saveRulesBundle(CARDS_BUNDLE);
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-cards', await enrolForTest(env, 'kiosk-cards'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-cards', 'attended');
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
    const refund = await send({ kind: 'refund', cardUid: CARD, purchaseTxId: bought.id!, lineNos: [1], actor: await kioskStaffActor(env.hub.store, 'kiosk-cards') });
    expect(refund.status).toBe('applied');
    expect(refund.outcome?.trace).toContain('count card: 7 visits taken back, 3 already used');
    expect(await serviceCards()).toMatchObject([{ serviceId: 'car-wash', punchesLeft: 0 }]);
    // The card ended with the refund: a later visit is refused as expired.
    expect(await punch()).toMatchObject({ status: 'rejected', code: 'CARD_EXPIRED' });
  });

  describe('manual bonus', () => {
    const app = () => buildApp({ store: env.hub.store, identity: createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) }), identityStore: env.hub.store.identity, brokerUrl: env.brokerUrl });
    /** The demo HQ admin's bearer token (a real login). */
    const asAdmin = async () => ({ authorization: `Bearer ${(await hqAdminLogin(env.hub.store)).token}` });
    /** A store manager with a login: may read members, may not grant points. */
    const asStoreManager = async () => {
      const identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
      await identity.addStaff({ name: 'Store Manager', role: 'store_manager', storeIds: [DEMO_STORE_ID], login: 'manager', password: 'manager-password-1' }, { kind: 'system', id: 'test', surface: 'cli' });
      const { token } = await identity.login('manager', 'manager-password-1', 'hub');
      return { authorization: `Bearer ${token}` };
    };
    const memberId = async () => (await env.hub.store.memberViewByCard(CARD))!.memberId;

    it('from HQ through the admin endpoint: applied, in the history, with who and why kept on the transaction', async () => {
      const before = (await env.hub.store.memberViewByCard(CARD))!.balances.points;
      const response = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, headers: await asAdmin(), payload: { points: 300, reason: 'complaint' } });
      expect(response.statusCode).toBe(200);
      const result = response.json<TxResult>();
      expect(result).toMatchObject({ status: 'applied', outcome: { kind: 'manual_bonus', pointsEarned: 300, balances: { points: before + 300 } } });
      const view = (await env.hub.store.memberViewById(await memberId(), 50))!;
      expect(view.balances.points).toBe(before + 300);
      expect(view.history).toContainEqual(expect.objectContaining({ txId: result.id, kind: 'manual_bonus', pointsDelta: 300, status: 'applied' }));
      // A correction takes points back.
      const correction = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, headers: await asAdmin(), payload: { points: -100, reason: 'goodwill' } });
      expect(correction.json<TxResult>()).toMatchObject({ status: 'applied', outcome: { pointsSpent: 100, balances: { points: before + 200 } } });
      const db = new Database(join(env.dataDir, 'ledger.sqlite'), { readonly: true });
      try {
        const row = db.prepare<[string], { device_id: string; payload: string }>('SELECT device_id, payload FROM transactions WHERE tx_id = ?').get(result.id!);
        expect(row?.device_id).toBe('hq');
        const admin = (await env.hub.store.identity.staffCredentialsByLogin('admin'))!;
        expect(JSON.parse(row!.payload)).toMatchObject({ kind: 'manual_bonus', points: 300, reason: 'complaint', actor: { staffId: admin.staffId } });
        // and the audit log says who, before and after
        const audited = await env.hub.store.identity.auditEntries({ limit: 10, action: 'tx.manual_bonus' });
        expect(audited.find((e) => (e.detail as { txId?: string } | null)?.txId === result.id)).toMatchObject({ actorId: admin.staffId, surface: 'hub', outcome: 'applied', after: { points: before + 300 } });
      } finally {
        db.close();
      }
    });

    it('refuses a reason not in the list, a store manager (403, recorded) and anyone not signed in (401); nothing is credited', async () => {
      const before = (await env.hub.store.memberViewByCard(CARD))!.balances.points;
      const count = await env.hub.store.transactionCount();
      const anonymous = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, payload: { points: 300, reason: 'complaint' } });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
      const forged = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, headers: { authorization: 'Bearer not-a-real-token-but-long-enough' }, payload: { points: 300, reason: 'complaint' } });
      expect(forged.statusCode).toBe(401);
      expect(await env.hub.store.transactionCount()).toBe(count);
      const badReason = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, headers: await asAdmin(), payload: { points: 300, reason: 'because' } });
      expect(badReason.statusCode).toBe(400);
      expect(badReason.json()).toMatchObject({ status: 'rejected', code: 'MANUAL_BONUS_REASON_NOT_ALLOWED' });
      const manager = await app().inject({ method: 'POST', url: `/api/members/${await memberId()}/manual-bonus`, headers: await asStoreManager(), payload: { points: 300, reason: 'complaint' } });
      expect(manager.statusCode).toBe(403);
      expect(manager.json()).toMatchObject({ status: 'rejected', code: 'STAFF_UNAUTHORIZED' });
      const unknown = await app().inject({ method: 'POST', url: '/api/members/NOBODY/manual-bonus', headers: await asAdmin(), payload: { points: 300, reason: 'complaint' } });
      expect(unknown.statusCode).toBe(404);
      expect((await env.hub.store.memberViewByCard(CARD))!.balances.points).toBe(before);
    });

    it('sent by a kiosk, is refused with TX_NOT_ALLOWED_FROM_DEVICE even naming the HQ admin\'s session', async () => {
      const before = (await env.hub.store.memberViewByCard(CARD))!.balances.points;
      const result = await send({ kind: 'manual_bonus', cardUid: CARD, points: 300, reason: 'complaint', actor: (await hqAdminLogin(env.hub.store)).actor });
      expect(result).toMatchObject({ status: 'rejected', code: 'TX_NOT_ALLOWED_FROM_DEVICE' });
      expect((await env.hub.store.memberViewByCard(CARD))!.balances.points).toBe(before);
    });
  });
});
