/**
 * The use cases against a real outbox, factory and session, with the hub played by a fake link (no broker):
 * what each does to the screen, the outbox and the printer, including what it must not do.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { LookupRequest, LookupResponse, StaffSessionView } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import { openMemberCache, type MemberCache } from '../cache/member-cache.ts';
import type { HubLink, HubLinkEvents } from '../link/hub-link.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import type { Receipt } from '../ports.ts';
import { createKioskSession, type KioskSession } from '../session/kiosk-session.ts';
import type { SimulatedPrinter } from '../../drivers/printer/simulated-printer.ts';
import { buildHardware } from '../hardware/build-hardware.ts';
import type { CardSource, ReceiptSink, SimulatedTaps } from '../ports.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { makeMember } from '../test-support/members.ts';
import { eventually, makeTempDir } from '../test-support/temp-dir.ts';
import { createTransactionFactory } from '../tx/transaction-factory.ts';
import { createKioskApp, type KioskApp } from './kiosk-app.ts';
import { createMemberPin } from './member-pin.ts';
import { createStaffSignIn } from './staff-sign-in.ts';
import type { KioskEvent } from './kiosk-events.ts';
import { CASHIER_SESSION, MANAGER_SESSION, TEST_STAFF_CARD, TEST_STAFF_PIN } from '../test-support/staff-sessions.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import { configView } from '../config/config-view.ts';
import type { SpendRequest } from '../config/offline-guard.ts';
import { bundleWithCardTypes } from '../../core/ledger/test-support/card-types-bundle.ts';

const CARD = '04A1B2C3D4';
const FRESH = '04F00D000001';
const STAFF = TEST_STAFF_CARD;
const PIN = TEST_STAFF_PIN;
const CASHIER = CASHIER_SESSION;
const coffee = { lines: [{ sku: 'COFFEE', category: 'drinks', qty: 2, unitPriceCents: 350 }], payments: [{ method: 'stored_value', amountCents: 700 }] };
const balances = { storedValueCents: 11_645, bonusValueCents: 500, points: 810 };

/** Coffee is ¥3.50 on the shelf and ¥2.80 for gold members. */
const MEMBER_PRICES: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 2,
  rules: [{ kind: 'member_price', id: 'gold-coffee', label: 'gold coffee price', tiers: ['gold'], prices: { COFFEE: 280 } }, ...DEFAULT_RULES_BUNDLE.rules],
};

/** The hub as the use cases see it through the link: answers decided by the test, look-ups too. */
class FakeLink extends EventEmitter<HubLinkEvents> implements Pick<HubLink, 'kick' | 'waitForResult' | 'isConnected' | 'lookup'> {
  connected = true;
  kicks = 0;
  lookups: LookupRequest[] = [];
  decide: (tx: Transaction) => Omit<TxResult, 'id' | 'seq'> | null = () => ({ status: 'applied', recorded: true });
  answer: (req: LookupRequest) => LookupResponse | null = () => null;

  constructor(private readonly outbox: () => Outbox) {
    super();
  }

  kick(): void {
    this.kicks += 1;
  }

  isConnected(): boolean {
    return this.connected;
  }

  async waitForResult(id: string): Promise<TxResult | null> {
    const entry = this.outbox().get(id);
    if (!entry) return null;
    if (entry.status === 'done') return entry.result;
    const tx = JSON.parse(entry.payload) as Transaction;
    const decided = this.decide(tx);
    if (!decided) return null;
    const result = { ...decided, id: tx.id, seq: tx.seq } as TxResult;
    this.outbox().markDone([{ id, result }]);
    this.emit('result', result);
    return result;
  }

  async lookup(req: LookupRequest, _timeoutMs?: number): Promise<LookupResponse | null> {
    this.lookups.push(req);
    return this.answer(req);
  }
}

describe('kiosk use cases', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let outbox: Outbox;
  let cache: MemberCache;
  let link: FakeLink;
  let session: KioskSession;
  let receipts: ReceiptSink;
  let printer: SimulatedPrinter;
  let cards: CardSource;
  let taps: SimulatedTaps;
  let bundle: RulesBundle | null;
  let refreshed: number[];
  let kiosk: KioskApp;
  let screen: KioskEvent[];
  let members: Map<string, LookupResponse>;
  let mode: KioskMode;
  let staffSession: StaffSessionView;
  /** The chain's member-PIN setting as the kiosk's rules hold it (null: no PIN asked). */
  let pinRules: { memberPin?: { storedValueAboveCents: number } } | null;
  /** The gifts the kiosk's configuration offers (null: all). */
  let offeredGifts: string[] | null;
  /** The offline limits' answer for a spend without the hub. */
  let offlineAdmit: (request: SpendRequest) => boolean;
  let offlineChecks: number;

  beforeEach(async () => {
    temp = makeTempDir();
    const logger = createCaptureLogger().logger;
    const path = join(temp.dir, 'device.sqlite');
    bundle = null;
    refreshed = [];
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => bundle?.version ?? 0 });
    outbox = openOutbox({ path, deviceId: 'kiosk-1', logger, factory });
    cache = openMemberCache({ path, logger });
    link = new FakeLink(() => outbox);
    members = new Map([[CARD, { ok: true, member: makeMember(CARD) }]]);
    mode = 'unattended';
    pinRules = null;
    offeredGifts = null;
    offlineChecks = 0;
    offlineAdmit = () => true;
    staffSession = CASHIER;
    link.answer = (req) => {
      if (req.op === 'member.byCard') {
        if (req.cardUid === STAFF) return { ok: false, code: 'CARD_IS_STAFF', message: 'a staff card: enter the PIN to sign in' };
        return members.get(req.cardUid) ?? { ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' };
      }
      if (req.op === 'staff.signIn') return req.cardUid === STAFF && req.pin === PIN ? { ok: true, staffSession } : { ok: false, code: 'STAFF_PIN_WRONG', message: 'wrong PIN' };
      if (req.op === 'staff.signOut') return { ok: true, signedOut: true };
      return null;
    };
    session = createKioskSession({ lookup: (req, ms) => link.lookup(req, ms), cache, logger });
    // The drivers' own simulated reader and printer, built through the driver registry as the demo builds them.
    const hardware = buildHardware({ reader: { kind: 'simulated' }, printer: { kind: 'simulated' } }, logger);
    receipts = hardware.receiptSink;
    printer = hardware.simulatedPrinter!;
    await receipts.start();
    cards = hardware.cardSource;
    taps = hardware.simulatedCards!;
    session.attach(cards);
    await cards.start();
    kiosk = createKioskApp({
      mode: () => mode,
      staff: createStaffSignIn({ session, lookup: (req, ms) => link.lookup(req, ms) }),
      memberPin: createMemberPin({ lookup: (req, ms) => link.lookup(req, ms), bundle: () => pinRules, staff: () => null }),
      session,
      factory,
      outbox,
      link,
      rules: {
        bundle: () => bundle,
        version: () => bundle?.version ?? 0,
        refresh: async () => {
          bundle = MEMBER_PRICES;
          return true;
        },
      },
      rulesChanged: async (version) => {
        refreshed.push(version);
      },
      config: () => ({ ...configView({ current: () => null, summary: () => ({ snapshotVersion: null, rulesVersion: null, regionId: null, scopeVersions: {}, expires: null, expired: false, lastRefusal: null }) }, 0), gifts: offeredGifts }),
      offlineGuard: {
        admit: (request) => {
          offlineChecks += 1;
          return offlineAdmit(request);
        },
      },
      receipts,
      receiptContext: () => ({ header: ['STORE ONE'], footer: ['bye'], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'en' }),
      identity: () => ({ deviceId: 'kiosk-1', storeId: 'store-1' }),
      simulatedCards: taps,
      logger,
      tuning: { resultWaitMs: 200 },
    });
    screen = [];
    kiosk.events.subscribe((event) => screen.push(event));
  });

  afterEach(() => {
    kiosk.stop();
    session.stop();
    outbox.close();
    cache.close();
    temp.cleanup();
  });

  const sessionNames = () => screen.flatMap((e) => (e.type === 'session' ? [e.data.session.name] : []));
  /** A clerk taps their staff card (the hub says it is one) and types the PIN. */
  const signInStaff = async (app: KioskApp = kiosk) => {
    await app.tapSimulatedCard(STAFF);
    expect(session.state()).toMatchObject({ name: 'error', code: 'CARD_IS_STAFF' });
    return app.staffSignIn(PIN);
  };
  const staffActor = { staffId: CASHIER.staffId, sessionId: CASHIER.sessionId };

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

  it('refuses a body naming a card or a staff member, whichever card it names, and changes nothing', async () => {
    await signInStaff();
    await kiosk.tapSimulatedCard(CARD);
    screen.length = 0;
    const kicks = link.kicks;
    const refusals = [
      kiosk.purchase({ ...coffee, cardUid: 'ABCD1234' }),
      // Even the card on the reader: the body never names a card.
      kiosk.purchase({ ...coffee, cardUid: CARD }),
      kiosk.redeemGift({ cardUid: 'ABCD1234', giftSku: 'MUG', qty: 1 }),
      kiosk.cardOperation('card_report_loss', { cardUid: 'ABCD1234' }),
      kiosk.cardOperation('card_replace', { cardUid: 'ABCD1234', newCardUid: 'ABCD9999' }),
      kiosk.topUp({ amountCents: 100, tender: 'bank_card', actor: { staffId: 'staff-hq', sessionId: 'sess-forged-0000000000' } }),
      kiosk.topUp({ amountCents: 100, tender: 'bank_card', staffCardUid: '5AFF0002' }),
    ];
    for (const refusal of refusals) await expect(refusal).rejects.toMatchObject({ code: 'CARD_NOT_ON_READER' });
    expect(outbox.depth()).toBe(0);
    expect(outbox.nextSeq()).toBe(1);
    expect(link.kicks).toBe(kicks);
    expect(sessionNames()).toEqual([]);
    expect(session.view().name).toBe('member');
    // The member on the reader is served as usual.
    await expect(kiosk.punch({ serviceId: 'car-wash' })).resolves.toMatchObject({ tx: { kind: 'punch_card_use', cardUid: CARD } });
  });

  it('registers only the card of the form on screen, never one named in the body', async () => {
    await kiosk.tapSimulatedCard(FRESH);
    kiosk.beginRegistration();
    await expect(kiosk.registerMember({ cardUid: '04F00D000002', name: 'Bai Lu', phone: '13900000011' })).rejects.toMatchObject({ code: 'CARD_NOT_ON_READER' });
    expect(outbox.depth()).toBe(0);
    expect(session.view()).toMatchObject({ name: 'register', notice: null });
  });

  it('takes no cash on an unattended kiosk, and takes it on an attended one', async () => {
    await signInStaff();
    await kiosk.tapSimulatedCard(CARD);
    screen.length = 0;
    const cashCoffee = { ...coffee, payments: [{ method: 'cash', amountCents: 700 }] };
    await expect(kiosk.purchase(cashCoffee)).rejects.toMatchObject({ code: 'TENDER_NOT_ALLOWED' });
    await expect(kiosk.purchase({ ...coffee, payments: [{ method: 'stored_value', amountCents: 200 }, { method: 'cash', amountCents: 500 }] })).rejects.toMatchObject({ code: 'TENDER_NOT_ALLOWED' });
    await expect(kiosk.topUp({ amountCents: 5000, tender: 'cash' })).rejects.toMatchObject({ code: 'TENDER_NOT_ALLOWED' });
    expect(outbox.depth()).toBe(0);
    expect(sessionNames()).toEqual([]);
    expect(kiosk.state()).toMatchObject({ mode: 'unattended' });
    // Other tenders are fine on an unattended kiosk.
    await expect(kiosk.topUp({ amountCents: 5000, tender: 'bank_card' })).resolves.toMatchObject({ status: 'applied', tx: { tender: 'bank_card' } });
    mode = 'attended';
    kiosk.resetSession();
    await kiosk.tapSimulatedCard(CARD);
    expect(kiosk.state()).toMatchObject({ mode: 'attended' });
    await expect(kiosk.purchase(cashCoffee)).resolves.toMatchObject({ status: 'applied', tx: { payments: [{ method: 'cash' }] } });
    await expect(kiosk.topUp({ amountCents: 5000, tender: 'cash' })).resolves.toMatchObject({ status: 'applied', tx: { tender: 'cash', actor: staffActor } });
  });

  it('refuses staff actions without a staff member signed in, but lets a member report their own card lost', async () => {
    mode = 'attended';
    await kiosk.tapSimulatedCard(CARD);
    screen.length = 0;
    await expect(kiosk.topUp({ amountCents: 5000, tender: 'cash' })).rejects.toMatchObject({ code: 'STAFF_SESSION_REQUIRED' });
    for (const kind of ['card_freeze', 'card_unfreeze', 'card_cancel_loss'] as const) {
      await expect(kiosk.cardOperation(kind, {})).rejects.toMatchObject({ code: 'STAFF_SESSION_REQUIRED' });
    }
    await expect(kiosk.cardOperation('card_replace', { newCardUid: 'ABCD9999' })).rejects.toMatchObject({ code: 'STAFF_SESSION_REQUIRED' });
    await expect(kiosk.refund({ purchaseTxId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', lineNos: [1] })).rejects.toMatchObject({ code: 'STAFF_SESSION_REQUIRED' });
    expect(outbox.depth()).toBe(0);
    expect(sessionNames()).toEqual([]);
    const reported = await kiosk.cardOperation('card_report_loss', {});
    expect(reported).toMatchObject({ status: 'applied', tx: { kind: 'card_report_loss', cardUid: CARD } });
    expect(reported.tx).not.toHaveProperty('actor');
  });

  it('signs a clerk in with staff card and PIN, names them as the actor of staff actions, and signs them out', async () => {
    mode = 'attended';
    // No staff card on the reader: nothing to sign in with, and the hub is not asked.
    await expect(kiosk.staffSignIn(PIN)).rejects.toMatchObject({ code: 'STAFF_CARD_UNKNOWN' });
    await kiosk.tapSimulatedCard(CARD);
    await expect(kiosk.staffSignIn(PIN)).rejects.toMatchObject({ code: 'STAFF_CARD_UNKNOWN' });
    expect(link.lookups.filter((r) => r.op === 'staff.signIn')).toEqual([]);
    kiosk.resetSession();
    await kiosk.tapSimulatedCard(STAFF);
    await expect(kiosk.staffSignIn('0000')).rejects.toMatchObject({ code: 'STAFF_PIN_WRONG' });
    expect(kiosk.staffSession()).toBeNull();
    expect(await kiosk.staffSignIn(PIN)).toEqual(CASHIER);
    expect(link.lookups.filter((r) => r.op === 'staff.signIn').at(-1)).toEqual({ op: 'staff.signIn', cardUid: STAFF, pin: PIN });
    // The staff card leaves the screen: the next tap is the member's.
    expect(session.view().name).toBe('idle');
    expect(kiosk.state()).toMatchObject({ mode: 'attended', staff: { staffId: CASHIER.staffId, role: 'cashier' } });

    await kiosk.tapSimulatedCard(CARD);
    const topUp = await kiosk.topUp({ amountCents: 5000, tender: 'cash' });
    expect(topUp).toMatchObject({ status: 'applied', tx: { kind: 'top_up', cardUid: CARD, amountCents: 5000, actor: staffActor } });
    expect(topUp.tx).not.toHaveProperty('staffCardUid');
    expect(JSON.parse(outbox.get(topUp.tx.id)!.payload)).toMatchObject({ actor: staffActor });
    // A cashier may not freeze a card: refused on the kiosk, before anything is queued.
    await expect(kiosk.cardOperation('card_freeze', {})).rejects.toMatchObject({ code: 'STAFF_UNAUTHORIZED' });
    expect(outbox.depth()).toBe(0);
    expect(outbox.nextSeq()).toBe(2);

    await kiosk.staffSignOut();
    expect(link.lookups.at(-1)).toEqual({ op: 'staff.signOut', sessionId: CASHIER.sessionId });
    expect(kiosk.state().staff).toBeNull();
    await expect(kiosk.topUp({ amountCents: 5000, tender: 'cash' })).rejects.toMatchObject({ code: 'STAFF_SESSION_REQUIRED' });
    expect(outbox.nextSeq()).toBe(2);
  });

  it('forgets a staff session once it expires', async () => {
    const expiresAt = Date.now() + 500;
    staffSession = { ...CASHIER, expiresAt: new Date(expiresAt).toISOString() };
    await signInStaff();
    expect(kiosk.staffSession()).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 20));
    expect(kiosk.staffSession()).toBeNull();
    await kiosk.tapSimulatedCard(CARD);
    await expect(kiosk.topUp({ amountCents: 5000, tender: 'bank_card' })).rejects.toMatchObject({ code: 'STAFF_SESSION_REQUIRED' });
  });

  it('returns a card (退卡) only for a manager and only with the hub there: offline it queues nothing', async () => {
    mode = 'attended';
    await signInStaff();
    await kiosk.tapSimulatedCard(CARD);
    // A cashier may not: refused on the kiosk, nothing queued.
    await expect(kiosk.cardOperation('card_return', { refundTender: 'cash' })).rejects.toMatchObject({ code: 'STAFF_UNAUTHORIZED' });
    await kiosk.staffSignOut();
    staffSession = MANAGER_SESSION;
    await signInStaff();
    await kiosk.tapSimulatedCard(CARD);
    link.connected = false;
    await expect(kiosk.cardOperation('card_return', { refundTender: 'cash' })).rejects.toMatchObject({ code: 'HUB_REQUIRED' });
    expect(outbox.depth()).toBe(0);
    link.connected = true;
    const returned = await kiosk.cardOperation('card_return', { refundTender: 'cash' });
    expect(returned).toMatchObject({ status: 'applied', tx: { kind: 'card_return', cardUid: CARD, refundTender: 'cash', actor: { staffId: MANAGER_SESSION.staffId } } });
  });

  it('issues a card (办卡) and services one for the fee its own rules show, replaces for the schedule\'s fee; issue and service only with the hub', async () => {
    // The kiosk's rules: 金卡 issue ¥20 + annual ¥50, repair ¥5, replace ¥10 (core/ledger/test-support/card-types-bundle.ts).
    bundle = { ...bundleWithCardTypes(), version: 3 };
    mode = 'attended';
    members.set(CARD, { ok: true, member: { ...makeMember(CARD), card: { uid: CARD, status: 'active', validUntil: null, cardType: 'gold', cardTypeLabel: '金卡', holderName: null } } });
    staffSession = { ...MANAGER_SESSION, mayDo: [...MANAGER_SESSION.mayDo, 'card_issue', 'card_service'] };
    await signInStaff();
    await kiosk.tapSimulatedCard(CARD);
    link.connected = false;
    await expect(kiosk.cardOperation('card_issue', { newCardUid: '04C0FFEE0001', cardTypeId: 'supp', holderName: '李小明' })).rejects.toMatchObject({ code: 'HUB_REQUIRED' });
    await expect(kiosk.cardOperation('card_service', { service: 'repair' })).rejects.toMatchObject({ code: 'HUB_REQUIRED' });
    expect(outbox.depth()).toBe(0);
    link.connected = true;
    const issued = await kiosk.cardOperation('card_issue', { newCardUid: '04C0FFEE0001', cardTypeId: 'gold' });
    expect(issued).toMatchObject({ status: 'applied', tx: { kind: 'card_issue', cardUid: CARD, newCardUid: '04C0FFEE0001', cardTypeId: 'gold', feeCents: 7_000, feeTender: 'stored_value', actor: { staffId: MANAGER_SESSION.staffId } } });
    await kiosk.tapSimulatedCard(CARD);
    const repaired = await kiosk.cardOperation('card_service', { service: 'repair', feeTender: 'cash' });
    expect(repaired).toMatchObject({ status: 'applied', tx: { kind: 'card_service', service: 'repair', feeCents: 500, feeTender: 'cash' } });
    // A type the kiosk's rules lack: it names no fee, and the hub's schedule alone decides (or refuses the type).
    await kiosk.tapSimulatedCard(CARD);
    const unknown = await kiosk.cardOperation('card_issue', { newCardUid: '04C0FFEE0002', cardTypeId: 'platinum' });
    expect(unknown.tx).not.toHaveProperty('feeCents');
    // A replacement names the schedule's fee too, and may still be queued offline, as before.
    await kiosk.tapSimulatedCard(CARD);
    link.connected = false;
    const replaced = await kiosk.cardOperation('card_replace', { newCardUid: '04C0FFEE0003' });
    expect(replaced).toMatchObject({ status: 'queued', tx: { kind: 'card_replace', feeCents: 1_000 } });
    // A cashier without the right is refused on the kiosk.
    link.connected = true;
    await kiosk.staffSignOut();
    staffSession = CASHIER;
    await signInStaff();
    await kiosk.tapSimulatedCard(CARD);
    await expect(kiosk.cardOperation('card_issue', { newCardUid: '04C0FFEE0004', cardTypeId: 'gold' })).rejects.toMatchObject({ code: 'STAFF_UNAUTHORIZED' });
  });

  it('takes a sale on credit (赊账) and a credit repayment only with the hub there: offline nothing is queued', async () => {
    mode = 'attended';
    staffSession = MANAGER_SESSION;
    await signInStaff();
    await kiosk.tapSimulatedCard(CARD);
    const onCredit = { lines: coffee.lines, payments: [{ method: 'credit', amountCents: 700 }] };
    link.connected = false;
    await expect(kiosk.purchase(onCredit)).rejects.toMatchObject({ code: 'HUB_REQUIRED' });
    await expect(kiosk.creditRepay({ amountCents: 700, tender: 'cash' })).rejects.toMatchObject({ code: 'HUB_REQUIRED' });
    expect(outbox.depth()).toBe(0);
    // A stored-value sale is still taken offline as before (credit alone needs the hub).
    await expect(kiosk.purchase(coffee)).resolves.toMatchObject({ status: 'queued' });
    link.connected = true;
    const repaid = await kiosk.creditRepay({ amountCents: 700, tender: 'cash' });
    expect(repaid).toMatchObject({ tx: { kind: 'credit_repay', cardUid: CARD, amountCents: 700, tender: 'cash', actor: { staffId: MANAGER_SESSION.staffId } } });
  });

  it('refuses a member action with no card given and none on screen', async () => {
    await expect(kiosk.purchase(coffee)).rejects.toMatchObject({ code: 'SESSION_NO_CARD', name: 'KioskError' });
    await expect(kiosk.registerMember({ name: 'X', phone: '13900000000' })).rejects.toMatchObject({ code: 'SESSION_NO_CARD' });
    await expect(kiosk.quote([{ sku: 'COFFEE', category: 'drinks', qty: 1, unitPriceCents: 350 }])).rejects.toMatchObject({ code: 'SESSION_NO_CARD' });
    expect(() => kiosk.beginRegistration()).toThrowError(expect.objectContaining({ code: 'REGISTER_NOT_OFFERED' }));
    expect(outbox.depth()).toBe(0);
  });

  /** The consent step as the screen sends it: the terms agreed to, marketing declined. */
  const AGREED = [{ purpose: 'terms', granted: true }, { purpose: 'marketing', granted: false }];

  it('registers the card on the form and shows the new member with a welcome, without a second tap', async () => {
    await kiosk.tapSimulatedCard(FRESH);
    expect(kiosk.beginRegistration()).toMatchObject({ name: 'register', notice: null });
    link.decide = (tx) => {
      members.set(FRESH, { ok: true, member: makeMember(FRESH, { name: 'Bai Lu', tier: 'standard', balances: { storedValueCents: 0, bonusValueCents: 0, points: 50 } }) });
      return { status: 'applied', recorded: true, outcome: { kind: 'register_member', memberId: 'M9', cardUid: tx.cardUid, tier: 'standard', balances: { storedValueCents: 0, bonusValueCents: 0, points: 50 }, pointsEarned: 50, pointsSpent: 0, valueDeltaCents: 0, trace: [] } };
    };
    // Without the terms agreed to: refused before anything is queued; the form stays.
    await expect(kiosk.registerMember({ name: 'Bai Lu', phone: '13900000011' })).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    await expect(kiosk.registerMember({ name: 'Bai Lu', phone: '13900000011', consents: [{ purpose: 'terms', granted: false }, { purpose: 'marketing', granted: true }] })).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect(outbox.depth()).toBe(0);
    expect(session.view()).toMatchObject({ name: 'register', notice: null });
    screen.length = 0;
    const outcome = await kiosk.registerMember({ name: 'Bai Lu', phone: '13900000011', consents: AGREED });
    expect(outcome).toMatchObject({ status: 'applied', tx: { kind: 'register_member', cardUid: FRESH, consents: AGREED } });
    expect(sessionNames()).toEqual(['card', 'member']);
    expect(session.view()).toMatchObject({ name: 'member', member: { name: 'Bai Lu' }, welcome: { name: 'Bai Lu', pointsEarned: 50 } });
  });

  it('keeps the form on screen with the refusal, or with the news that it is queued', async () => {
    await kiosk.tapSimulatedCard(FRESH);
    kiosk.beginRegistration();
    link.decide = () => ({ status: 'rejected', recorded: true, code: 'MEMBER_PHONE_TAKEN', message: 'phone taken' });
    const refused = await kiosk.registerMember({ name: 'Bai Lu', phone: '13900000011', consents: AGREED });
    expect(refused).toMatchObject({ status: 'rejected' });
    expect(session.view()).toMatchObject({ name: 'register', notice: { txId: refused.tx.id, status: 'rejected', code: 'MEMBER_PHONE_TAKEN' } });
    link.connected = false;
    const queued = await kiosk.registerMember({ name: 'Bai Lu', phone: '13900000012', consents: AGREED });
    expect(session.view()).toMatchObject({ name: 'register', notice: { txId: queued.tx.id, status: 'queued', code: null } });
  });

  it('prices a basket with the member on screen: at the hub, or with the kiosk\'s rules and the tier from the view when offline', async () => {
    await kiosk.tapSimulatedCard(CARD);
    const lines = [{ sku: 'COFFEE', category: 'drinks', qty: 2, unitPriceCents: 350 }];
    link.connected = false;
    expect(await kiosk.quote(lines)).toMatchObject({ available: false, code: 'HUB_UNREACHABLE' });
    bundle = MEMBER_PRICES;
    // makeMember is gold: the gold member price, from the view on screen.
    expect(await kiosk.quote(lines)).toMatchObject({ available: true, source: 'kiosk', quote: { totalCents: 560, discountCents: 140, bundleVersion: 2 } });
    members.set(CARD, { ok: true, member: makeMember(CARD, { tier: 'silver' }) });
    await kiosk.tapSimulatedCard(CARD);
    expect(await kiosk.quote(lines)).toMatchObject({ quote: { totalCents: 700, discountCents: 0 } });
    link.connected = true;
    const quote = { bundleVersion: 2, subtotalCents: 700, discountCents: 0, totalCents: 700, lines: [{ lineNo: 1, netCents: 700, discountCents: 0 }], pointsEarned: 7, trace: [] };
    link.answer = (req) => (req.op === 'quote' ? { ok: true, quote } : null);
    expect(await kiosk.quote(lines)).toEqual({ available: true, source: 'hub', quote });
    expect(link.lookups.at(-1)).toEqual({ op: 'quote', cardUid: CARD, storeId: 'store-1', bundleVersion: 2, lines: [{ ...lines[0], lineNo: 1 }] });
  });

  it('takes newer rules before answering a catalogue made from them', async () => {
    await kiosk.tapSimulatedCard(CARD);
    const catalog = { memberId: 'M', tier: 'gold', bundleVersion: 2, gifts: [], upgrades: [], pointsPayment: null };
    link.answer = (req) => (req.op === 'catalog' ? { ok: true, catalog } : null);
    expect(await kiosk.catalog()).toEqual({ available: true, catalog });
    expect(refreshed).toEqual([2]);
    expect(kiosk.state()).toMatchObject({ bundleVersion: 2, deviceId: 'kiosk-1', connected: true, outboxDepth: 0 });
    link.connected = false;
    expect(await kiosk.catalog()).toMatchObject({ available: false, code: 'HUB_UNREACHABLE' });
  });

  it('offers only the gifts its configuration names, and redeems no other', async () => {
    await kiosk.tapSimulatedCard(CARD);
    const gift = (sku: string) => ({ sku, name: sku, pointsPrice: 100, stock: 5 });
    const catalog = { memberId: 'M', tier: 'gold', bundleVersion: 0, gifts: [gift('MUG'), gift('BAG')], upgrades: [], pointsPayment: null };
    link.answer = (req) => (req.op === 'catalog' ? { ok: true, catalog } : null);
    expect(await kiosk.catalog()).toMatchObject({ available: true, catalog: { gifts: [{ sku: 'MUG' }, { sku: 'BAG' }] } });
    offeredGifts = ['MUG'];
    expect(await kiosk.catalog()).toMatchObject({ available: true, catalog: { gifts: [{ sku: 'MUG' }] } });
    await expect(kiosk.redeemGift({ giftSku: 'BAG', qty: 1 })).rejects.toMatchObject({ code: 'GIFT_UNKNOWN' });
    expect(outbox.depth()).toBe(0);
    expect((await kiosk.redeemGift({ giftSku: 'MUG', qty: 1 })).tx).toMatchObject({ kind: 'redeem_gift', giftSku: 'MUG' });
  });

  it('checks offline limits only without the hub: refused before anything is written, taken marked acceptedOffline, a replay never re-checked', async () => {
    await kiosk.tapSimulatedCard(CARD);
    expect((await kiosk.purchase(coffee)).tx).not.toHaveProperty('acceptedOffline');
    expect(offlineChecks).toBe(0);
    link.connected = false;
    offlineAdmit = () => {
      throw new CodedError('OFFLINE_CARD_DAY_LIMIT', '今日离线储值余额还可用 ¥3.00', { leftCents: 300 });
    };
    const depth = outbox.depth();
    const screenBefore = session.view().version;
    await expect(kiosk.purchase(coffee, { idempotencyKey: 'till-1/0009' })).rejects.toMatchObject({ code: 'OFFLINE_CARD_DAY_LIMIT', details: { leftCents: 300 } });
    expect(outbox.depth()).toBe(depth);
    expect(session.view().version).toBe(screenBefore);
    offlineAdmit = (request) => {
      expect(request).toMatchObject({ cardUid: CARD, payments: [{ method: 'stored_value', amountCents: 700 }] });
      return true;
    };
    const taken = await kiosk.purchase(coffee, { idempotencyKey: 'till-1/0009' });
    expect(taken).toMatchObject({ status: 'queued', tx: { acceptedOffline: true } });
    // The client retries the same request: the sale made then, whatever the limits say now.
    offlineAdmit = () => {
      throw new CodedError('OFFLINE_CARD_SPENDS');
    };
    const checks = offlineChecks;
    expect(await kiosk.purchase(coffee, { idempotencyKey: 'till-1/0009' })).toMatchObject({ replayed: true, tx: { id: taken.tx.id } });
    expect(offlineChecks).toBe(checks);
    // Online again, the same request under the same key is still that sale.
    link.connected = true;
    expect(await kiosk.purchase(coffee, { idempotencyKey: 'till-1/0009' })).toMatchObject({ replayed: true, tx: { id: taken.tx.id } });
    // What the limits do not cover (no stored value, no points) is taken offline unmarked.
    link.connected = false;
    offlineAdmit = () => false;
    expect((await kiosk.purchase(coffee)).tx).not.toHaveProperty('acceptedOffline');
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

  describe('member PIN', () => {
    const big = { lines: [{ sku: 'TV', category: 'electronics', qty: 1, unitPriceCents: 20_000 }], payments: [{ method: 'stored_value', amountCents: 20_000 }] };
    const small = { lines: [{ sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 500 }], payments: [{ method: 'stored_value', amountCents: 500 }] };

    beforeEach(() => {
      pinRules = { memberPin: { storedValueAboveCents: 10_000 } };
      const base = link.answer;
      link.answer = (req) => {
        if (req.op === 'member.verifyPin') return req.pin === '9876' ? { ok: true, pinProof: { proofId: 'proof-0123456789abcdef', expiresAt: '2999-01-01T00:00:00.000Z' } } : { ok: false, code: 'MEMBER_PIN_WRONG', message: 'wrong', details: { attemptsLeft: 4 } };
        if (req.op === 'member.verifyPhonePin') return req.phone === '13800138003' && req.pin === '9876' ? { ok: true, pinProof: { proofId: 'proof-phone-0123456789', expiresAt: '2999-01-01T00:00:00.000Z' }, cardUid: 'C0FFEE01' } : { ok: false, code: 'MEMBER_PIN_WRONG', message: 'phone or PIN not accepted' };
        return base(req);
      };
    });

    it('asks for it above the chain\'s amount, queues nothing without it, and names the hub\'s proof once typed', async () => {
      await kiosk.tapSimulatedCard(CARD);
      await expect(kiosk.purchase(big)).rejects.toMatchObject({ code: 'MEMBER_PIN_REQUIRED' });
      expect(outbox.depth()).toBe(0);
      // a small payment needs no PIN
      await kiosk.purchase(small);
      await expect(kiosk.verifyMemberPin('1111')).rejects.toMatchObject({ code: 'MEMBER_PIN_WRONG', details: { attemptsLeft: 4 } });
      await kiosk.verifyMemberPin('9876');
      expect(link.lookups.filter((r) => r.op === 'member.verifyPin').at(-1)).toEqual({ op: 'member.verifyPin', cardUid: CARD, pin: '9876' });
      const outcome = await kiosk.purchase(big);
      expect(outcome.tx).toMatchObject({ kind: 'purchase', cardUid: CARD, memberPinProof: 'proof-0123456789abcdef' });
      // a body may not bring a proof of its own
      await expect(kiosk.purchase({ ...big, memberPinProof: 'proof-0123456789abcdef' })).rejects.toMatchObject({ code: 'CARD_NOT_ON_READER' });
    });

    it('keeps the proof for that card only: another card on the reader needs its own PIN', async () => {
      members.set('04B0B0B0B0', { ok: true, member: makeMember('04B0B0B0B0') });
      await kiosk.tapSimulatedCard(CARD);
      await kiosk.verifyMemberPin('9876');
      await kiosk.tapSimulatedCard('04B0B0B0B0');
      await expect(kiosk.purchase(big)).rejects.toMatchObject({ code: 'MEMBER_PIN_REQUIRED' });
    });

    it('needs the hub: offline the PIN cannot be checked, and the large payment is refused before queueing', async () => {
      await kiosk.tapSimulatedCard(CARD);
      link.connected = false;
      link.answer = () => null;
      await expect(kiosk.verifyMemberPin('9876')).rejects.toMatchObject({ code: 'HUB_UNREACHABLE' });
      await expect(kiosk.purchase(big)).rejects.toMatchObject({ code: 'MEMBER_PIN_REQUIRED' });
      expect(outbox.depth()).toBe(0);
    });

    it('reports a card lost by phone and PIN without the card: the hub names the card, the transaction names the proof', async () => {
      await expect(kiosk.reportLossByPhone('13800138003', '0000')).rejects.toMatchObject({ code: 'MEMBER_PIN_WRONG' });
      expect(outbox.depth()).toBe(0);
      const outcome = await kiosk.reportLossByPhone('13800138003', '9876');
      expect(outcome.tx).toMatchObject({ kind: 'card_report_loss', cardUid: 'C0FFEE01', memberPinProof: 'proof-phone-0123456789' });
      expect(outcome.tx).not.toHaveProperty('actor');
    });
  });
});
