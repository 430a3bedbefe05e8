/**
 * The routes the kiosk screen's staff pages read before a clerk confirms (device/app/staff-desk.ts), over the real
 * kiosk app with app.inject(): a fake hub over a real MQTT broker answers look-ups and transactions (staff sign-in
 * is its real look-up), the simulated reader taps, the outbox is real SQLite. Each route refuses without a staff
 * member signed in; with the store manager signed in and a member on screen: the deposit bonus preview from the
 * kiosk's own rules, the card types and fees, a new card taken from the reader (that tap never reaches the
 * session) and named on the replacement, a purchase's lines from this kiosk's outbox (the fake hub knows no other),
 * and the receipts to reprint.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleWithCardTypes } from '../../core/ledger/test-support/card-types-bundle.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { createTopics } from '../../core/wire/topics.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import { createKioskApp, type KioskApp } from '../app/kiosk-app.ts';
import { createMemberPin } from '../app/member-pin.ts';
import { createNewCardCapture } from '../app/new-card-capture.ts';
import { createStaffSignIn } from '../app/staff-sign-in.ts';
import { openMemberCache, type MemberCache } from '../cache/member-cache.ts';
import { buildHardware, type Hardware } from '../hardware/build-hardware.ts';
import { createHubLink, type HubLink } from '../link/hub-link.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import { createKioskSession, type KioskSession } from '../session/kiosk-session.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { startTestBroker, type TestBroker } from '../test-support/embedded-broker.ts';
import { startFakeHub, type FakeHub } from '../test-support/fake-hub.ts';
import { makeMember } from '../test-support/members.ts';
import { MANAGER_SESSION, TEST_STAFF_CARD, TEST_STAFF_PIN } from '../test-support/staff-sessions.ts';
import { makeTempDir } from '../test-support/temp-dir.ts';
import { createTransactionFactory } from '../tx/transaction-factory.ts';
import { buildApp } from './build-app.ts';

const CARD = '04A1B2C3D4';
const OTHER_MEMBER_CARD = '04EEEEEEEE';
const BLANK_CARD = '04C0FFEE0042';

/** The kiosk's rules: 充500送50 (fixed bands) and the card types 普通卡 / 金卡 / 附属卡 with their fee schedules. */
const RULES: RulesBundle = {
  ...bundleWithCardTypes(),
  version: 7,
  rules: [...bundleWithCardTypes().rules, { kind: 'deposit_bonus', id: 'top-up-bonus', label: '充值赠送', bands: [{ minCents: 50_000, bonusCents: 5_000 }, { minCents: 100_000, bonusCents: 12_000 }] }],
};

describe('the staff pages’ routes over the real kiosk app', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let broker: TestBroker;
  let fakeHub: FakeHub;
  let outbox: Outbox;
  let cache: MemberCache;
  let link: HubLink;
  let session: KioskSession;
  let hardware: Hardware;
  let kiosk: KioskApp;
  let app: FastifyInstance;
  let rules: RulesBundle | null;
  let closeGate: () => void;

  beforeEach(async () => {
    temp = makeTempDir();
    broker = await startTestBroker(0);
    fakeHub = await startFakeHub({
      url: broker.url,
      members: new Map([
        [CARD, makeMember(CARD, { card: { uid: CARD, status: 'active', validUntil: null, cardType: 'gold', cardTypeLabel: '金卡' } })],
        [OTHER_MEMBER_CARD, makeMember(OTHER_MEMBER_CARD)],
      ]),
      staff: new Map([[TEST_STAFF_CARD, { pin: TEST_STAFF_PIN, session: MANAGER_SESSION }]]),
      decide: (tx) =>
        tx.kind === 'purchase'
          ? {
              status: 'applied',
              outcome: { kind: 'purchase', memberId: 'M-1', cardUid: tx.cardUid, tier: 'gold', balances: { storedValueCents: 11_000, bonusValueCents: 500, points: 812 }, pointsEarned: 12, pointsSpent: 0, valueDeltaCents: -1_300, trace: [], purchase: { totalCents: 1_300, tenders: { cashCents: 0, storedValueCents: 1_300, bonusValueCents: 0, pointsValueCents: 0, points: 0 } } },
            }
          : { status: 'applied' },
    });
    rules = RULES;
    const logger = createCaptureLogger().logger;
    const path = join(temp.dir, 'device.sqlite');
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => rules?.version ?? 0 });
    outbox = openOutbox({ path, deviceId: 'kiosk-1', logger, factory });
    cache = openMemberCache({ path, logger });
    link = createHubLink({ url: broker.url, deviceId: 'kiosk-1', outbox, topics: createTopics(), logger, clientOptions: { reconnectPeriod: 100 }, stallResendMs: 500 });
    hardware = buildHardware({ reader: { kind: 'simulated' }, printer: { kind: 'simulated' } }, logger);
    session = createKioskSession({ lookup: (req, ms) => link.lookup(req, ms), cache, logger, timeouts: { lookupMs: 500 } });
    // As device/main.ts wires it: the session hears the reader through the new-card gate.
    const newCards = createNewCardCapture({ lookup: (req, ms) => link.lookup(req, ms), currentCardUid: () => session.currentCardUid(), logger });
    const gated = newCards.gate(hardware.cardSource);
    const detach = session.attach(gated.source);
    closeGate = () => {
      detach();
      gated.close();
    };
    await hardware.cardSource.start();
    await hardware.receiptSink.start();
    kiosk = createKioskApp({
      mode: () => 'attended',
      staff: createStaffSignIn({ session, lookup: (req, ms) => link.lookup(req, ms) }),
      memberPin: createMemberPin({ lookup: (req, ms) => link.lookup(req, ms), bundle: () => null, staff: () => null }),
      session,
      factory,
      outbox,
      link,
      rules: { bundle: () => rules, version: () => rules?.version ?? 0, refresh: async () => false },
      receipts: hardware.receiptSink,
      receiptContext: () => ({ header: ['STORE ONE'], footer: ['bye'], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'zh' }),
      identity: () => ({ deviceId: 'kiosk-1', storeId: 'store-1' }),
      simulatedCards: hardware.simulatedCards,
      newCards,
      logger,
      tuning: { resultWaitMs: 1500, linkCheckMs: 100 },
    });
    app = buildApp({ kiosk, logger, simulatedReader: true });
    await link.start();
  });

  afterEach(async () => {
    await app.close();
    kiosk.stop();
    closeGate();
    session.stop();
    await link.stop();
    await fakeHub.stop();
    await broker.stop();
    await hardware.cardSource.stop();
    await hardware.receiptSink.stop();
    outbox.close();
    cache.close();
    temp.cleanup();
  });

  const tap = (uid: string) => app.inject({ method: 'POST', url: '/api/sim/tap', payload: { uid } });
  const post = (url: string, payload: object = {}) => app.inject({ method: 'POST', url, payload });
  const get = (url: string) => app.inject({ method: 'GET', url });
  async function signInManager(): Promise<void> {
    expect((await tap(TEST_STAFF_CARD)).json()).toMatchObject({ session: { name: 'error', code: 'CARD_IS_STAFF' } });
    expect((await post('/api/staff/sign-in', { pin: TEST_STAFF_PIN })).statusCode).toBe(200);
  }
  async function showMember(uid = CARD): Promise<void> {
    expect((await tap(uid)).json()).toMatchObject({ session: { name: 'member' } });
  }

  it('refuses every staff page’s read without a staff member signed in, and says so by code', async () => {
    await showMember();
    const answers = [
      await post('/api/top-up/preview', { amountCents: 50_000 }),
      await get('/api/staff/card-offer'),
      await post('/api/staff/new-card'),
      await get('/api/staff/purchases/01HZZZZZZZZZZZZZZZZZZZZZZZ'),
      await get('/api/staff/receipts'),
    ];
    for (const answer of answers) expect([answer.statusCode, answer.json().error.code]).toEqual([401, 'STAFF_SESSION_REQUIRED']);
  });

  it('previews the deposit bonus with the kiosk’s own rules for the member on screen, and says when it cannot', async () => {
    await signInManager();
    expect((await post('/api/top-up/preview', { amountCents: 50_000 })).json()).toMatchObject({ error: { code: 'SESSION_NO_CARD' } });
    await showMember();
    const lookupsBefore = fakeHub.received.length;
    expect((await post('/api/top-up/preview', { amountCents: 50_000 })).json()).toEqual({
      available: true,
      amountCents: 50_000,
      bonusCents: 5_000,
      pointsEarned: 0,
      source: 'kiosk_rules',
      bundleVersion: 7,
      trace: [{ ruleId: 'top-up-bonus', textZh: '充值赠送', textEn: '充值赠送', cents: 5_000 }],
      mayBeLess: false,
    });
    expect((await post('/api/top-up/preview', { amountCents: 120_000 })).json()).toMatchObject({ bonusCents: 12_000 });
    expect((await post('/api/top-up/preview', { amountCents: 49_999 })).json()).toMatchObject({ bonusCents: 0, trace: [] });
    // No transaction went to the hub for a preview.
    expect(fakeHub.received.length).toBe(lookupsBefore);
    const bad = await post('/api/top-up/preview', { amountCents: 12.5 });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'BAD_REQUEST']);
    rules = null;
    expect((await post('/api/top-up/preview', { amountCents: 50_000 })).json()).toEqual({ available: false, reason: 'no_rules' });
  });

  it('offers the card types of the kiosk’s rules with their fees, and the replacement fee of the card on the reader', async () => {
    await signInManager();
    await showMember();
    expect((await get('/api/staff/card-offer')).json()).toEqual({
      bundleVersion: 7,
      cardTypes: [
        { typeId: 'plain', label: '普通卡', class: 'personal', tier: null, feeCents: 0, validityMonths: null },
        { typeId: 'gold', label: '金卡', class: 'personal', tier: 'gold', feeCents: 7_000, validityMonths: 12 },
        { typeId: 'supp', label: '附属卡', class: 'supplementary', tier: null, feeCents: 2_000, validityMonths: 1 },
      ],
      currentType: { typeId: 'gold', label: '金卡' },
      replaceFeeCents: 1_000,
    });
  });

  it('takes the new card of a replacement from the reader (never from the screen), keeps the member on screen, and names it on the transaction', async () => {
    await signInManager();
    await showMember();
    // Without a tapped new card the replacement is refused before anything is queued.
    const early = await post('/api/tx/card/replace', {});
    expect([early.statusCode, early.json().error.code]).toEqual([409, 'NEW_CARD_NOT_TAPPED']);
    expect(outbox.depth()).toBe(0);

    // The member's own card is not a new card; a card the hub knows is in use; a blank one is fresh.
    for (const [uid, status] of [[CARD, 'same_card'], [OTHER_MEMBER_CARD, 'in_use'], [TEST_STAFF_CARD, 'staff_card'], [BLANK_CARD, 'fresh']] as const) {
      const waiting = post('/api/staff/new-card');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const tapped = await tap(uid);
      // The tap went to the new-card request, not to the session: the member is still on screen.
      expect(tapped.json()).toMatchObject({ session: { name: 'member', card: '******C3D4' } });
      const answer = (await waiting).json();
      expect(answer).toEqual({ status, card: `${'*'.repeat(uid.length - 4)}${uid.slice(-4)}` });
      expect(JSON.stringify(answer)).not.toContain(uid);
    }

    const replaced = await post('/api/tx/card/replace', { feeTender: 'cash' });
    expect(replaced.statusCode).toBe(200);
    const stored = JSON.parse(outbox.get(replaced.json().id)!.payload) as Transaction;
    expect(stored).toMatchObject({ kind: 'card_replace', cardUid: CARD, newCardUid: BLANK_CARD, feeCents: 1_000, feeTender: 'cash', actor: { staffId: MANAGER_SESSION.staffId } });
  });

  it('stops waiting for a new card when asked, and forgets it', async () => {
    await signInManager();
    await showMember();
    const waiting = post('/api/staff/new-card');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post('/api/staff/new-card/cancel')).json()).toEqual({ ok: true });
    expect((await waiting).json()).toEqual({ status: 'cancelled' });
    // The next tap is the session's again.
    expect((await tap(OTHER_MEMBER_CARD)).json()).toMatchObject({ session: { name: 'member', card: '******EEEE' } });
  });

  it('takes no tap for a member who has left: the next person’s card is theirs', async () => {
    await signInManager();
    await showMember();
    const waiting = post('/api/staff/new-card');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await post('/api/session/reset');
    expect((await tap(OTHER_MEMBER_CARD)).json()).toMatchObject({ session: { name: 'member', card: '******EEEE' } });
    expect((await waiting).json()).toEqual({ status: 'cancelled' });
  });

  it('shows the lines of a purchase this kiosk made for the member on screen, for a refund of chosen lines; not others', async () => {
    await signInManager();
    await showMember();
    const lines = [
      { sku: 'LATTE', category: 'drinks', qty: 2, unitPriceCents: 500 },
      { sku: 'BREAD', category: 'bakery', qty: 1, unitPriceCents: 300 },
    ];
    const bought = await post('/api/tx/purchase', { lines, payments: [{ method: 'stored_value', amountCents: 1_300 }] });
    expect(bought.json()).toMatchObject({ status: 'applied' });
    const txId = bought.json().id as string;
    await post('/api/session/back');

    expect((await get(`/api/staff/purchases/${txId}`)).json()).toEqual({
      txId,
      at: expect.any(String),
      lines: [
        { lineNo: 1, sku: 'LATTE', category: 'drinks', qty: 2, unitPriceCents: 500 },
        { lineNo: 2, sku: 'BREAD', category: 'bakery', qty: 1, unitPriceCents: 300 },
      ],
      payments: [{ method: 'stored_value', amountCents: 1_300 }],
      totalCents: 1_300,
      refundedLineNos: [],
    });
    const unknown = await get('/api/staff/purchases/01HZZZZZZZZZZZZZZZZZZZZZZZ');
    // Not in the outbox: asked of the hub, which (this fake keeps no ledger) knows no such purchase.
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, 'REFUND_UNKNOWN_PURCHASE']);

    const refund = await post('/api/tx/refund', { purchaseTxId: txId, lineNos: [2] });
    expect(refund.json()).toMatchObject({ status: 'applied' });
    const stored = JSON.parse(outbox.get(refund.json().id)!.payload) as Transaction;
    expect(stored).toMatchObject({ kind: 'refund', cardUid: CARD, purchaseTxId: txId, lineNos: [2], actor: { staffId: MANAGER_SESSION.staffId } });

    // Another member's screen does not show this member's purchase.
    await post('/api/session/reset');
    await showMember(OTHER_MEMBER_CARD);
    expect((await get(`/api/staff/purchases/${txId}`)).json()).toMatchObject({ error: { code: 'REFUND_UNKNOWN_PURCHASE' } });
  });

  it('lists this kiosk’s recent receipts for a reprint, newest first, masked, with whether each printed', async () => {
    await signInManager();
    await showMember();
    const first = await post('/api/tx/purchase', { lines: [{ sku: 'WATER', category: 'drinks', qty: 1, unitPriceCents: 300 }], payments: [{ method: 'stored_value', amountCents: 300 }] });
    await post('/api/session/back');
    const second = await post('/api/tx/top-up', { amountCents: 10_000, tender: 'bank_card' });
    const receipts = (await get('/api/staff/receipts')).json().receipts as { txId: string; cardNumberMasked: string; printed: boolean | null }[];
    expect(receipts.map((r) => r.txId)).toEqual([second.json().id, first.json().id]);
    expect(receipts[0]).toMatchObject({ kind: 'top_up' });
    expect(receipts[1]).toMatchObject({ kind: 'purchase', cardNumberMasked: '******C3D4', memberName: 'Ada Member', printed: true });
    expect(JSON.stringify(receipts)).not.toContain(CARD);
    expect((await post('/api/staff/reprint', { txId: first.json().id })).json()).toMatchObject({ print: { status: 'printed' } });
  });
});
