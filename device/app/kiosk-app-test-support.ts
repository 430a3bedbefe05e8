/**
 * What the kiosk use-case tests (kiosk-app-*.test.ts) share: a kiosk application on a real outbox, factory and
 * session, the drivers' simulated reader and printer, and the hub played by a fake link (no broker). Each test
 * file starts one per case with the knobs it turns (mode, staff session, rules, PIN setting, gifts, offline
 * limits); what it does not turn stays as the kiosk starts: unattended, a cashier, no rules, no PIN, every gift.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { LookupRequest, LookupResponse, StaffSessionView } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { SimulatedPrinter } from '../../drivers/printer/simulated-printer.ts';
import { openMemberCache } from '../cache/member-cache.ts';
import { configView } from '../config/config-view.ts';
import type { SpendRequest } from '../config/offline-guard.ts';
import { buildHardware } from '../hardware/build-hardware.ts';
import type { HubLink, HubLinkEvents } from '../link/hub-link.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import type { SimulatedTaps } from '../ports.ts';
import { createKioskSession, type KioskSession } from '../session/kiosk-session.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { makeMember } from '../test-support/members.ts';
import { CASHIER_SESSION, TEST_STAFF_CARD, TEST_STAFF_PIN } from '../test-support/staff-sessions.ts';
import { makeTempDir } from '../test-support/temp-dir.ts';
import { createTransactionFactory } from '../tx/transaction-factory.ts';
import { createKioskApp, type KioskApp } from './kiosk-app.ts';
import type { KioskEvent } from './kiosk-events.ts';
import { createMemberPin } from './member-pin.ts';
import { createStaffSignIn } from './staff-sign-in.ts';

export const CARD = '04A1B2C3D4';
export const FRESH = '04F00D000001';
export const STAFF = TEST_STAFF_CARD;
export const PIN = TEST_STAFF_PIN;
export const CASHIER = CASHIER_SESSION;
export const coffee = { lines: [{ sku: 'COFFEE', category: 'drinks', qty: 2, unitPriceCents: 350 }], payments: [{ method: 'stored_value', amountCents: 700 }] };
export const balances = { storedValueCents: 11_645, bonusValueCents: 500, points: 810 };
export const staffActor = { staffId: CASHIER.staffId, sessionId: CASHIER.sessionId };

/** Coffee is ¥3.50 on the shelf and ¥2.80 for gold members. */
export const MEMBER_PRICES: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 2,
  rules: [{ kind: 'member_price', id: 'gold-coffee', label: 'gold coffee price', tiers: ['gold'], prices: { COFFEE: 280 } }, ...DEFAULT_RULES_BUNDLE.rules],
};

/** The chain's member-PIN setting as the kiosk's rules hold it (null: no PIN asked). */
export type PinRules = { memberPin?: { storedValueAboveCents: number } } | null;

/** The hub as the use cases see it through the link: answers decided by the test, look-ups too. */
export class FakeLink extends EventEmitter<HubLinkEvents> implements Pick<HubLink, 'kick' | 'waitForResult' | 'isConnected' | 'lookup'> {
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

/** What a test file turns between and within its cases: each read by the kiosk whenever it needs it. */
export interface KioskKnobs {
  /** unattended unless said. */
  mode?: () => KioskMode;
  /** What the hub answers a staff sign-in with: the cashier unless said. */
  staffSession?: () => StaffSessionView;
  /** The rules the kiosk holds (none unless said); a refresh takes MEMBER_PRICES. */
  bundle?: { get(): RulesBundle | null; set(bundle: RulesBundle): void };
  pinRules?: () => PinRules;
  /** The gifts the kiosk's configuration offers (null: all). */
  offeredGifts?: () => string[] | null;
  /** The offline limits' answer for a spend without the hub (taken unless said). */
  offlineAdmit?: (request: SpendRequest) => boolean;
}

export interface KioskUnderTest {
  kiosk: KioskApp;
  session: KioskSession;
  outbox: Outbox;
  link: FakeLink;
  /** What the hub knows of each card, by UID: the gold member on CARD to start with. */
  members: Map<string, LookupResponse>;
  printer: SimulatedPrinter;
  taps: SimulatedTaps;
  /** Every event the screen was pushed. */
  screen: KioskEvent[];
  /** The versions the kiosk said its rules changed to. */
  refreshed: number[];
  sessionNames: () => string[];
  /** A clerk taps their staff card (the hub says it is one) and types the PIN. */
  signInStaff: (app?: KioskApp) => Promise<StaffSessionView>;
  /** Stops the kiosk and its session, closes the outbox and the cache, and removes their folder. */
  stop: () => void;
}

export async function startKioskUnderTest(knobs: KioskKnobs = {}): Promise<KioskUnderTest> {
  const temp = makeTempDir();
  const logger = createCaptureLogger().logger;
  const path = join(temp.dir, 'device.sqlite');
  let held: RulesBundle | null = null;
  const bundle = knobs.bundle ?? {
    get: () => held,
    set: (next: RulesBundle) => {
      held = next;
    },
  };
  const mode = knobs.mode ?? (() => 'unattended');
  const staffSession = knobs.staffSession ?? (() => CASHIER);
  const pinRules = knobs.pinRules ?? (() => null);
  const offeredGifts = knobs.offeredGifts ?? (() => null);
  const offlineAdmit = knobs.offlineAdmit ?? (() => true);
  const refreshed: number[] = [];
  const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => bundle.get()?.version ?? 0 });
  const outbox = openOutbox({ path, deviceId: 'kiosk-1', logger, factory });
  const cache = openMemberCache({ path, logger });
  const link = new FakeLink(() => outbox);
  const members = new Map<string, LookupResponse>([[CARD, { ok: true, member: makeMember(CARD) }]]);
  link.answer = (req) => {
    if (req.op === 'member.byCard') {
      if (req.cardUid === STAFF) return { ok: false, code: 'CARD_IS_STAFF', message: 'a staff card: enter the PIN to sign in' };
      return members.get(req.cardUid) ?? { ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' };
    }
    if (req.op === 'staff.signIn') return req.cardUid === STAFF && req.pin === PIN ? { ok: true, staffSession: staffSession() } : { ok: false, code: 'STAFF_PIN_WRONG', message: 'wrong PIN' };
    if (req.op === 'staff.signOut') return { ok: true, signedOut: true };
    return null;
  };
  const session = createKioskSession({ lookup: (req, ms) => link.lookup(req, ms), cache, logger });
  // The drivers' own simulated reader and printer, built through the driver registry as the demo builds them.
  const hardware = buildHardware({ reader: { kind: 'simulated' }, printer: { kind: 'simulated' } }, logger);
  const receipts = hardware.receiptSink;
  const printer = hardware.simulatedPrinter!;
  await receipts.start();
  const cards = hardware.cardSource;
  const taps = hardware.simulatedCards!;
  session.attach(cards);
  await cards.start();
  const kiosk = createKioskApp({
    mode,
    staff: createStaffSignIn({ session, lookup: (req, ms) => link.lookup(req, ms) }),
    memberPin: createMemberPin({ lookup: (req, ms) => link.lookup(req, ms), bundle: pinRules, staff: () => null }),
    session,
    factory,
    outbox,
    link,
    rules: {
      bundle: () => bundle.get(),
      version: () => bundle.get()?.version ?? 0,
      refresh: async () => {
        bundle.set(MEMBER_PRICES);
        return true;
      },
    },
    rulesChanged: async (version) => {
      refreshed.push(version);
    },
    config: () => ({ ...configView({ current: () => null, summary: () => ({ snapshotVersion: null, rulesVersion: null, regionId: null, scopeVersions: {}, expires: null, expired: false, lastRefusal: null }) }, 0), gifts: offeredGifts() }),
    offlineGuard: { admit: (request) => offlineAdmit(request) },
    receipts,
    receiptContext: () => ({ header: ['STORE ONE'], footer: ['bye'], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'en' }),
    identity: () => ({ deviceId: 'kiosk-1', storeId: 'store-1' }),
    simulatedCards: taps,
    logger,
    tuning: { resultWaitMs: 200 },
  });
  const screen: KioskEvent[] = [];
  kiosk.events.subscribe((event) => screen.push(event));

  return {
    kiosk,
    session,
    outbox,
    link,
    members,
    printer,
    taps,
    screen,
    refreshed,
    sessionNames: () => screen.flatMap((e) => (e.type === 'session' ? [e.data.session.name] : [])),
    signInStaff: async (app: KioskApp = kiosk) => {
      await app.tapSimulatedCard(STAFF);
      expect(session.state()).toMatchObject({ name: 'error', code: 'CARD_IS_STAFF' });
      return app.staffSignIn(PIN);
    },
    stop: () => {
      kiosk.stop();
      session.stop();
      outbox.close();
      cache.close();
      temp.cleanup();
    },
  };
}
