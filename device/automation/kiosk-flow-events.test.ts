/**
 * What the kiosk tells its flows, from a kiosk wired as device/main.ts wires it (real outbox, session, hub link over
 * a real aedes broker, simulated reader and printer through the driver registry), with the hub played by the fake
 * hub: taps, transaction outcomes, the machine's status and HQ's commands — and that a failing emit never reaches
 * the kiosk.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { KIOSK_EVENTS, type CardTapEvent, type DeviceStatusEvent, type HubCommandEvent, type TransactionDoneEvent } from '../../flows/runtime/protocol.ts';
import type { KioskEvent } from '../app/kiosk-events.ts';
import { createCaptureLogger, type CapturedLogger } from '../test-support/capture-logger.ts';
import { KIOSK_ID, startKioskOnFakeHub, STORE_ID, type KioskOnFakeHub } from '../test-support/kiosk-on-fake-hub.ts';
import { makeMember } from '../test-support/members.ts';
import { CASHIER_SESSION, TEST_STAFF_CARD, TEST_STAFF_PIN } from '../test-support/staff-sessions.ts';
import { eventually } from '../test-support/temp-dir.ts';
import { watchKioskEvents } from './kiosk-flow-events.ts';

const CARD = '04A1B2C3D4';
const STRANGER = '04DEADBEEF01';
const MEMBER_ID = 'M-0001';
const topics = createTopics();
const coffee = { lines: [{ sku: 'COFFEE', category: 'drinks', qty: 2, unitPriceCents: 350 }], payments: [{ method: 'stored_value', amountCents: 700 }] };

/** The hub applies a purchase with its own numbers: ¥7.00 charged, 7 points earned. */
function hubDecides(tx: Transaction): Omit<TxResult, 'id' | 'seq'> {
  return {
    status: 'applied',
    outcome: {
      kind: tx.kind,
      memberId: MEMBER_ID,
      cardUid: CARD,
      tier: 'gold',
      balances: { storedValueCents: 11_645, bonusValueCents: 500, points: 807 },
      pointsEarned: 7,
      pointsSpent: 0,
      valueDeltaCents: -700,
      trace: [],
      purchase: { totalCents: 700, tenders: { cashCents: 0, storedValueCents: 700, bonusValueCents: 0, pointsValueCents: 0, points: 0 } },
    },
  };
}

describe('the kiosk’s events for its flows (real link, broker and session; fake hub)', () => {
  let log: CapturedLogger;
  let k: KioskOnFakeHub;
  let told: { topic: string; payload: unknown }[];
  let detach: () => void;

  const of = <T>(topic: string) => told.filter((e) => e.topic === topic).map((e) => e.payload as T);

  beforeEach(async () => {
    log = createCaptureLogger();
    k = await startKioskOnFakeHub({
      logger: log.logger,
      members: new Map([[CARD, makeMember(CARD, { memberId: MEMBER_ID, tier: 'gold' })]]),
      staff: new Map([[TEST_STAFF_CARD, { pin: TEST_STAFF_PIN, session: CASHIER_SESSION }]]),
      decide: hubDecides,
      resultWaitMs: 300,
    });
    told = [];
    detach = watchKioskEvents(
      { session: k.session, transactions: k.kiosk, link: k.link, outbox: k.outbox, hardware: { state: () => k.kiosk.state().hardware!, sources: [k.hardware.cardSource, k.hardware.receiptSink] }, identity: () => ({ deviceId: KIOSK_ID, storeId: STORE_ID }), logger: log.logger, statusCheckMs: 100 },
      (topic, payload) => told.push({ topic, payload }),
    );
  });

  afterEach(async () => {
    detach();
    await k.dispose();
  });

  it('tells a tap once the kiosk knows whose card it is — member, staff or unknown — with the masked card only', async () => {
    await k.tap(CARD);
    await k.tap(TEST_STAFF_CARD);
    await k.tap(STRANGER);
    const taps = of<CardTapEvent>(KIOSK_EVENTS.cardTap);
    expect(taps).toEqual([
      { at: expect.any(String), kind: 'member', memberId: MEMBER_ID, tier: 'gold', cardMasked: '******C3D4', deviceId: KIOSK_ID, storeId: STORE_ID },
      { at: expect.any(String), kind: 'staff', memberId: null, tier: null, cardMasked: '****0001', deviceId: KIOSK_ID, storeId: STORE_ID },
      { at: expect.any(String), kind: 'unknown', memberId: null, tier: null, cardMasked: '********EF01', deviceId: KIOSK_ID, storeId: STORE_ID },
    ]);
    // No full card number in anything a flow is told.
    const everything = JSON.stringify(told);
    for (const uid of [CARD, TEST_STAFF_CARD, STRANGER]) expect(everything).not.toContain(uid);
    // The session changing otherwise (back to idle, a touch) tells no tap.
    k.kiosk.resetSession();
    expect(of(KIOSK_EVENTS.cardTap)).toHaveLength(3);
  });

  it('tells a purchase the hub applied with the hub’s numbers, and one the hub holds as queued, then as applied once it answers', async () => {
    await k.tap(CARD);
    await k.kiosk.purchase(coffee);
    await eventually(() => of(KIOSK_EVENTS.transactionDone).length === 1, 'the applied purchase told');
    const [applied] = of<TransactionDoneEvent>(KIOSK_EVENTS.transactionDone);
    expect(applied).toEqual({ at: expect.any(String), txId: expect.any(String), kind: 'purchase', status: 'applied', code: null, memberId: MEMBER_ID, amountCents: 700, pointsEarned: 7, pointsSpent: 0, deviceId: KIOSK_ID, storeId: STORE_ID });

    k.hub.pauseTransactions();
    k.kiosk.backToMember();
    const held = await k.kiosk.purchase(coffee);
    expect(held.status).toBe('queued');
    await eventually(() => of(KIOSK_EVENTS.transactionDone).length === 2, 'the queued purchase told');
    expect(of<TransactionDoneEvent>(KIOSK_EVENTS.transactionDone)[1]).toMatchObject({ txId: held.tx.id, status: 'queued', memberId: MEMBER_ID, amountCents: 700, pointsEarned: 0 });
    k.hub.resumeTransactions();
    await eventually(() => of(KIOSK_EVENTS.transactionDone).length === 3, 'the held purchase told again, applied');
    expect(of<TransactionDoneEvent>(KIOSK_EVENTS.transactionDone)[2]).toMatchObject({ txId: held.tx.id, status: 'applied', memberId: MEMBER_ID, pointsEarned: 7 });
    // Each outcome once: nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(of(KIOSK_EVENTS.transactionDone)).toHaveLength(3);
  });

  it('tells the machine’s status when the printer or the hub changes, once per change', async () => {
    await eventually(() => of(KIOSK_EVENTS.deviceStatus).length >= 1, 'the status at the start');
    expect(of<DeviceStatusEvent>(KIOSK_EVENTS.deviceStatus)[0]).toEqual({ at: expect.any(String), reader: 'ready', printer: 'ready', hubConnected: true, outboxDepth: 0, deviceId: KIOSK_ID, storeId: STORE_ID });

    k.printer.setPaper({ paperOut: true });
    await eventually(() => of<DeviceStatusEvent>(KIOSK_EVENTS.deviceStatus).some((s) => s.printer === 'paper_out'), 'paper out told');
    await k.stopBroker();
    await eventually(() => of<DeviceStatusEvent>(KIOSK_EVENTS.deviceStatus).some((s) => !s.hubConnected), 'the hub away told');
    // A few more status checks go by without a change: nothing more is told.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(of<DeviceStatusEvent>(KIOSK_EVENTS.deviceStatus).map((s) => [s.printer, s.hubConnected])).toEqual([
      ['ready', true],
      ['paper_out', true],
      ['paper_out', false],
    ]);
  });

  it('tells every command from the hub; show-message also puts the banner on the screen; a malformed one is dropped with a code and the link goes on', async () => {
    const screen: KioskEvent[] = [];
    k.kiosk.events.subscribe((event) => screen.push(event));
    const publish = (payload: unknown) => k.hub.client.publishAsync(topics.command(KIOSK_ID), typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
    await subscribedToCommands(k, publish, () => of(KIOSK_EVENTS.hubCommand).length > 0);
    told.length = 0;

    for (const bad of ['not json', { command: 'Show Message', args: {}, sentAt: new Date().toISOString() }, { command: 'show-message', args: { text: '' }, sentAt: new Date().toISOString() }, { command: 'show-message', args: { text: 'hi', seconds: 600 }, sentAt: new Date().toISOString() }]) {
      await publish(bad);
    }
    await eventually(() => log.withCode('HUB_COMMAND_MALFORMED').length === 4, 'four malformed commands logged');
    expect(log.withCode('HUB_COMMAND_MALFORMED')[0]).toMatchObject({ level: 40, reason: 'not JSON' });
    expect(of(KIOSK_EVENTS.hubCommand)).toEqual([]);

    await publish({ command: 'show-message', args: { text: { 'zh-CN': '欢迎光临', en: 'Welcome' }, seconds: 5, tone: 'success' }, sentAt: new Date().toISOString() });
    await publish({ command: 'open-door', args: { door: 2 }, sentAt: new Date().toISOString() });
    await eventually(() => of(KIOSK_EVENTS.hubCommand).length === 2, 'both commands told');
    expect(of<HubCommandEvent>(KIOSK_EVENTS.hubCommand)).toEqual([
      { at: expect.any(String), command: 'show-message', args: { text: { 'zh-CN': '欢迎光临', en: 'Welcome' }, seconds: 5, tone: 'success' } },
      { at: expect.any(String), command: 'open-door', args: { door: 2 } },
    ]);
    const banners = screen.filter((e) => e.type === 'screen-message');
    expect(banners).toEqual([{ type: 'screen-message', data: { id: expect.any(String), text: { 'zh-CN': '欢迎光临', en: 'Welcome' }, tone: 'success', seconds: 5, expiresAt: expect.any(String), from: 'hub' } }]);
    // The link still carries the kiosk's own traffic.
    await k.tap(CARD);
    expect(k.session.view().name).toBe('member');
  });

  it('goes on serving when every emit throws: taps, purchases and commands still work, and the failure is logged', async () => {
    detach();
    detach = watchKioskEvents(
      { session: k.session, transactions: k.kiosk, link: k.link, outbox: k.outbox, hardware: { state: () => k.kiosk.state().hardware!, sources: [k.hardware.cardSource, k.hardware.receiptSink] }, identity: () => ({ deviceId: KIOSK_ID, storeId: STORE_ID }), logger: log.logger, statusCheckMs: 100 },
      () => {
        throw new Error('the flow runtime is gone');
      },
    );
    await k.tap(CARD);
    expect(k.session.view()).toMatchObject({ name: 'member', member: { memberId: MEMBER_ID } });
    const outcome = await k.kiosk.purchase(coffee);
    expect(outcome.status).toBe('applied');
    expect(k.session.view().name).toBe('receipt');
    k.printer.setPaper({ paperOut: true });
    await eventually(() => log.records.filter((r) => r.msg === 'a flow event could not be sent; the kiosk goes on').length >= 3, 'the failed emits logged');
    const topicsFailed = new Set(log.records.filter((r) => r.msg === 'a flow event could not be sent; the kiosk goes on').map((r) => r.topic));
    expect([...topicsFailed].sort()).toEqual([KIOSK_EVENTS.cardTap, KIOSK_EVENTS.deviceStatus, KIOSK_EVENTS.transactionDone].sort());
  });
});

/** The link subscribes to its command topic just after it connects: harmless commands until one comes through. */
async function subscribedToCommands(k: KioskOnFakeHub, publish: (payload: unknown) => Promise<unknown>, arrived: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!arrived()) {
    if (Date.now() > deadline) throw new Error('the kiosk never got a command');
    await publish({ command: 'ping', args: {}, sentAt: new Date().toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(k.link.isConnected()).toBe(true);
}
