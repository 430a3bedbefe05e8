/**
 * The one flow every money-moving use case takes, against a real outbox, factory and session with the hub played
 * by a fake link (kiosk-app-test-support.ts): member → action → receipt on screen and on paper, queued at once
 * offline, refused before the screen changes, a replayed Idempotency-Key answered without touching the screen or
 * the printer, and a receipt kept on screen when the printer fails.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { SimulatedPrinter } from '../../drivers/printer/simulated-printer.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { Receipt, SimulatedTaps } from '../ports.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { eventually } from '../test-support/temp-dir.ts';
import { createTransactionFactory } from '../tx/transaction-factory.ts';
import { createKioskApp, type KioskApp } from './kiosk-app.ts';
import { balances, CARD, coffee, staffActor, startKioskUnderTest, type FakeLink, type KioskUnderTest, type PinRules } from './kiosk-app-test-support.ts';
import type { KioskEvent } from './kiosk-events.ts';
import { createMemberPin } from './member-pin.ts';
import { createStaffSignIn } from './staff-sign-in.ts';

describe('kiosk use cases', () => {
  let kiosk: KioskApp;
  let session: KioskSession;
  let outbox: Outbox;
  let link: FakeLink;
  let printer: SimulatedPrinter;
  let taps: SimulatedTaps;
  let screen: KioskEvent[];
  let sessionNames: KioskUnderTest['sessionNames'];
  let signInStaff: KioskUnderTest['signInStaff'];
  let stop: () => void;
  let mode: KioskMode;
  let pinRules: PinRules;

  beforeEach(async () => {
    mode = 'unattended';
    pinRules = null;
    ({ kiosk, session, outbox, link, printer, taps, screen, sessionNames, signInStaff, stop } = await startKioskUnderTest({ mode: () => mode, pinRules: () => pinRules }));
  });

  afterEach(() => stop());

  it('takes a purchase for the member on screen through action to receipt, prints it, and the screen is pushed the result', async () => {
    await kiosk.tapSimulatedCard(CARD);
    link.decide = (tx) => ({ status: 'applied', recorded: true, outcome: { kind: 'purchase', memberId: 'M', cardUid: tx.cardUid, tier: 'gold', balances, pointsEarned: 10, pointsSpent: 0, valueDeltaCents: -700, trace: ['base'] } });
    screen.length = 0;
    const outcome = await kiosk.purchase(coffee);
    expect(outcome).toMatchObject({ status: 'applied', replayed: false, tx: { kind: 'purchase', cardUid: CARD, lines: [{ lineNo: 1 }] }, result: { outcome: { pointsEarned: 10 } } });
    // The receipt is shown printing, then pushed again with what the paper did: the same state, its version kept.
    await eventually(() => sessionNames().length === 3, 'the print outcome pushed', 2_000);
    expect(sessionNames()).toEqual(['action', 'receipt', 'receipt']);
    const receiptViews = screen.flatMap((e) => (e.type === 'session' && e.data.session.name === 'receipt' ? [e.data.session] : []));
    expect(receiptViews.map((v) => ('print' in v ? v.print : null))).toEqual([{ status: 'printing', code: null }, { status: 'printed', code: null }]);
    expect(receiptViews[0]?.version).toBe(receiptViews[1]?.version);
    const pushed = screen.at(-1);
    expect(pushed).toMatchObject({ type: 'session', data: { session: { name: 'receipt', status: 'applied', txId: outcome.tx.id, result: { outcome: { pointsEarned: 10, cardUid: '******C3D4' } }, member: { balances } } } });
    expect(pushed?.type === 'session' && pushed.data.receiptText).toContain(`[QR ${outcome.tx.id}]`);
    expect(JSON.stringify(screen)).not.toContain(CARD);
    const printed = printer.printed.at(-1)?.receipt;
    expect(printed).toMatchObject({ txId: outcome.tx.id, memberName: 'Ada Member', lines: [{ name: 'COFFEE', qty: 2, totalCents: 700 }], pointsEarned: 10, balancesAfter: balances, cardNumberMasked: '******C3D4' });
    // The receipt on screen is the very one printed.
    expect(session.view()).toMatchObject({ receipt: { txId: outcome.tx.id } });
    expect(link.kicks).toBe(1);
  });

  it('says queued at once while offline, and prints a pending receipt without points or balances', async () => {
    // A counter device: the clerk signs in (that needs the hub), then the hub goes while the member pays cash.
    mode = 'attended';
    await signInStaff();
    await kiosk.tapSimulatedCard(CARD);
    link.connected = false;
    const outcome = await kiosk.topUp({ amountCents: 5000, tender: 'cash' });
    expect(outcome).toMatchObject({ status: 'queued', result: null, tx: { kind: 'top_up', cardUid: CARD, actor: staffActor } });
    expect(outbox.depth()).toBe(1);
    const receipt = printer.printed.at(-1)?.receipt;
    expect(receipt?.notice).toEqual(['TOP-UP', 'PENDING', 'Not yet confirmed by the hub.', 'Points and balances follow.']);
    expect(receipt?.pointsEarned).toBeUndefined();
    expect(receipt?.balancesAfter).toBeUndefined();
    expect(session.view()).toMatchObject({ name: 'receipt', status: 'queued', result: null });
  });

  it('refuses an invalid body before the screen changes, and writes nothing', async () => {
    await signInStaff();
    await kiosk.tapSimulatedCard(CARD);
    screen.length = 0;
    await expect(kiosk.topUp({ amountCents: 1.5, tender: 'bank_card' })).rejects.toMatchObject({ code: 'TX_INVALID' });
    await expect(kiosk.purchase({ ...coffee, lines: [{ ...coffee.lines[0], unitPriceCents: 1.5 }] })).rejects.toMatchObject({ code: 'TX_INVALID' });
    expect(sessionNames()).toEqual([]);
    expect(session.view().name).toBe('member');
    expect(outbox.nextSeq()).toBe(1);
  });

  it('goes back to the member when the final payload is too large, with nothing queued', async () => {
    await kiosk.tapSimulatedCard(CARD);
    screen.length = 0;
    const lines = Array.from({ length: 200 }, () => ({ sku: '鲜'.repeat(64), category: '乳制品'.repeat(21), qty: 1, unitPriceCents: 100 }));
    await expect(kiosk.purchase({ lines, payments: [{ method: 'stored_value', amountCents: 20_000 }] })).rejects.toMatchObject({ code: 'TX_TOO_LARGE' });
    expect(sessionNames()).toEqual(['action', 'member']);
    expect(outbox.depth()).toBe(0);
    expect(printer.printed).toHaveLength(0);
  });

  it('answers a replayed Idempotency-Key with the first transaction and never touches the screen or the printer', async () => {
    await kiosk.tapSimulatedCard(CARD);
    const first = await kiosk.purchase(coffee, { idempotencyKey: 'till-1/0001' });
    expect(printer.printed).toHaveLength(1);
    kiosk.resetSession();
    await kiosk.tapSimulatedCard(CARD);
    screen.length = 0;
    // The same member taps again and the till retries its cut-off request: the answer, not a second receipt.
    const again = await kiosk.purchase(coffee, { idempotencyKey: 'till-1/0001' });
    expect(again).toMatchObject({ tx: { id: first.tx.id }, status: 'applied', replayed: true });
    expect(sessionNames()).toEqual([]);
    expect(session.view().name).toBe('member');
    expect(printer.printed).toHaveLength(1);
    expect(outbox.nextSeq()).toBe(2);
    await expect(kiosk.purchase({ ...coffee, payments: [{ method: 'points', points: 700 }] }, { idempotencyKey: 'till-1/0001' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // A retry that names the card is refused like any request that names one.
    await expect(kiosk.purchase({ ...coffee, cardUid: CARD }, { idempotencyKey: 'till-1/0001' })).rejects.toMatchObject({ code: 'CARD_NOT_ON_READER' });
    expect(outbox.nextSeq()).toBe(2);
    expect(kiosk.transactionByKey('till-1/0001')).toMatchObject({ id: first.tx.id, status: 'done' });
  });

  it('keeps the receipt on screen when the printer fails', async () => {
    const failing = { print: async (_r: Receipt) => Promise.reject(new Error('paper out')) };
    const logger = createCaptureLogger();
    const app = createKioskApp({
      mode: () => 'unattended',
      staff: createStaffSignIn({ session, lookup: (req, ms) => link.lookup(req, ms) }),
      memberPin: createMemberPin({ lookup: (req, ms) => link.lookup(req, ms), bundle: () => pinRules, staff: () => null }),
      session,
      factory: createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1' }),
      outbox,
      link,
      rules: { bundle: () => null, version: () => 0, refresh: async () => false },
      receipts: failing,
      receiptContext: () => ({ header: [], footer: [], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'en' }),
      identity: () => ({ deviceId: 'kiosk-1', storeId: 'store-1' }),
      simulatedCards: taps,
      logger: logger.logger,
    });
    await app.tapSimulatedCard(CARD);
    await expect(app.purchase(coffee)).resolves.toMatchObject({ status: 'applied' });
    await eventually(() => 'print' in session.view() && (session.view() as { print: { status: string } }).print.status !== 'printing', 'the print outcome', 2_000);
    expect(session.view()).toMatchObject({ name: 'receipt', print: { status: 'not_printed', code: 'PRINTER_ERROR' } });
    expect(logger.withCode('RECEIPT_PRINT_FAILED')).toHaveLength(1);
    app.stop();
  });
});
