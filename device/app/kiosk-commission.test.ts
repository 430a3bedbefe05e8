/**
 * Staff commission at the kiosk (docs/ACCOUNTS.md, "Staff commission (员工提成)"): at an attended counter with a
 * clerk signed in whose role the hub says may serve sales (`mayDo` lists `purchase`), the sale names the clerk as
 * its actor; self-service, no clerk, or a hub that does not offer it, the sale names nobody. Real outbox, factory,
 * session and staff sign-in; the hub is a fake link.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { LookupRequest, LookupResponse, StaffSessionView } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import { openMemberCache, type MemberCache } from '../cache/member-cache.ts';
import { configView } from '../config/config-view.ts';
import { buildHardware } from '../hardware/build-hardware.ts';
import type { HubLink, HubLinkEvents } from '../link/hub-link.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import { createKioskSession, type KioskSession } from '../session/kiosk-session.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { makeMember } from '../test-support/members.ts';
import { CASHIER_SESSION, TEST_STAFF_CARD, TEST_STAFF_PIN } from '../test-support/staff-sessions.ts';
import { makeTempDir } from '../test-support/temp-dir.ts';
import { createTransactionFactory } from '../tx/transaction-factory.ts';
import { createKioskApp, type KioskApp } from './kiosk-app.ts';
import { createMemberPin } from './member-pin.ts';
import { createStaffSignIn } from './staff-sign-in.ts';

const CARD = '04A1B2C3D4';
const haircut = { lines: [{ sku: 'CUT', category: '美发', qty: 1, unitPriceCents: 12_800 }], payments: [{ method: 'cash', amountCents: 12_800 }] };
/** The cashier as a hub that offers commission answers the sign-in. */
const SERVING_CASHIER: StaffSessionView = { ...CASHIER_SESSION, mayDo: ['purchase', ...CASHIER_SESSION.mayDo] };

class FakeLink extends EventEmitter<HubLinkEvents> implements Pick<HubLink, 'kick' | 'waitForResult' | 'isConnected' | 'lookup'> {
  answer: (req: LookupRequest) => LookupResponse | null = () => null;
  constructor(private readonly outbox: () => Outbox) {
    super();
  }
  kick(): void {}
  isConnected(): boolean {
    return true;
  }
  async waitForResult(id: string): Promise<TxResult | null> {
    const entry = this.outbox().get(id);
    if (!entry) return null;
    const tx = JSON.parse(entry.payload) as Transaction;
    const result = { status: 'applied', recorded: true, id: tx.id, seq: tx.seq } as TxResult;
    this.outbox().markDone([{ id, result }]);
    return result;
  }
  async lookup(req: LookupRequest): Promise<LookupResponse | null> {
    return this.answer(req);
  }
}

describe('the clerk serving at an attended kiosk is named on the sale', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let outbox: Outbox;
  let cache: MemberCache;
  let session: KioskSession;
  let kiosk: KioskApp;
  let mode: KioskMode;
  let staffSession: StaffSessionView;

  beforeEach(async () => {
    temp = makeTempDir();
    const logger = createCaptureLogger().logger;
    const path = join(temp.dir, 'device.sqlite');
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => 0 });
    outbox = openOutbox({ path, deviceId: 'kiosk-1', logger, factory });
    cache = openMemberCache({ path, logger });
    const link = new FakeLink(() => outbox);
    mode = 'attended';
    staffSession = SERVING_CASHIER;
    link.answer = (req) => {
      if (req.op === 'member.byCard') {
        if (req.cardUid === TEST_STAFF_CARD) return { ok: false, code: 'CARD_IS_STAFF', message: 'a staff card: enter the PIN to sign in' };
        return { ok: true, member: makeMember(CARD) };
      }
      if (req.op === 'staff.signIn') return req.pin === TEST_STAFF_PIN ? { ok: true, staffSession } : { ok: false, code: 'STAFF_PIN_WRONG', message: 'wrong PIN' };
      return null;
    };
    session = createKioskSession({ lookup: (req) => link.lookup(req), cache, logger });
    const hardware = buildHardware({ reader: { kind: 'simulated' }, printer: { kind: 'simulated' } }, logger);
    await hardware.receiptSink.start();
    session.attach(hardware.cardSource);
    await hardware.cardSource.start();
    kiosk = createKioskApp({
      mode: () => mode,
      staff: createStaffSignIn({ session, lookup: (req) => link.lookup(req) }),
      memberPin: createMemberPin({ lookup: (req) => link.lookup(req), bundle: () => null, staff: () => null }),
      session,
      factory,
      outbox,
      link,
      rules: { bundle: () => null, version: () => 0, refresh: async () => false },
      rulesChanged: async () => undefined,
      config: () => ({ ...configView({ current: () => null, summary: () => ({ snapshotVersion: null, rulesVersion: null, regionId: null, scopeVersions: {}, expires: null, expired: false, lastRefusal: null }) }, 0), gifts: null }),
      offlineGuard: { admit: () => true },
      receipts: hardware.receiptSink,
      receiptContext: () => ({ header: ['STORE ONE'], footer: ['bye'], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'en' }),
      identity: () => ({ deviceId: 'kiosk-1', storeId: 'store-1' }),
      simulatedCards: hardware.simulatedCards!,
      logger,
      tuning: { resultWaitMs: 200 },
    });
  });

  afterEach(() => {
    kiosk.stop();
    session.stop();
    outbox.close();
    cache.close();
    temp.cleanup();
  });

  const signIn = async () => {
    await kiosk.tapSimulatedCard(TEST_STAFF_CARD);
    await kiosk.staffSignIn(TEST_STAFF_PIN);
  };
  const sell = async () => {
    await kiosk.tapSimulatedCard(CARD);
    return (await kiosk.purchase(haircut)).tx as Transaction & { actor?: unknown };
  };

  it('names the signed-in cashier as the actor of a sale at an attended counter', async () => {
    await signIn();
    expect(await sell()).toMatchObject({ kind: 'purchase', actor: { staffId: SERVING_CASHIER.staffId, sessionId: SERVING_CASHIER.sessionId } });
  });

  it('names nobody on a self-service sale: no clerk signed in', async () => {
    expect((await sell()).actor).toBeUndefined();
  });

  it('names nobody at an unattended kiosk, even with a clerk signed in', async () => {
    await signIn();
    mode = 'unattended';
    const tx = await (async () => {
      await kiosk.tapSimulatedCard(CARD);
      return (await kiosk.purchase({ ...haircut, payments: [{ method: 'stored_value', amountCents: 12_800 }] })).tx as Transaction & { actor?: unknown };
    })();
    expect(tx.kind).toBe('purchase');
    expect(tx.actor).toBeUndefined();
  });

  it('names nobody when the hub does not offer purchase to the role (an older hub would refuse the name)', async () => {
    staffSession = CASHIER_SESSION;
    await signIn();
    expect((await sell()).actor).toBeUndefined();
  });
});
