/**
 * What is taken without the hub (transaction-admission.ts, through the use cases): a card return, issue or service
 * and a sale on credit or a repayment only with the hub there, nothing queued offline; a sale paying with stored
 * value checked against the offline limits, refused before anything is written or taken marked acceptedOffline.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodedError } from '../../core/errors/coded-error.ts';
import { bundleWithCardTypes } from '../../core/ledger/test-support/card-types-bundle.ts';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { LookupResponse, StaffSessionView } from '../../core/wire/lookup.ts';
import type { SpendRequest } from '../config/offline-guard.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { makeMember } from '../test-support/members.ts';
import { MANAGER_SESSION } from '../test-support/staff-sessions.ts';
import type { KioskApp } from './kiosk-app.ts';
import { CARD, CASHIER, coffee, startKioskUnderTest, type FakeLink, type KioskUnderTest } from './kiosk-app-test-support.ts';

describe('kiosk use cases', () => {
  let kiosk: KioskApp;
  let session: KioskSession;
  let outbox: Outbox;
  let link: FakeLink;
  let members: Map<string, LookupResponse>;
  let signInStaff: KioskUnderTest['signInStaff'];
  let stop: () => void;
  let mode: KioskMode;
  let staffSession: StaffSessionView;
  let bundle: RulesBundle | null;
  /** The offline limits' answer for a spend without the hub. */
  let offlineAdmit: (request: SpendRequest) => boolean;
  let offlineChecks: number;

  beforeEach(async () => {
    mode = 'unattended';
    staffSession = CASHIER;
    bundle = null;
    offlineChecks = 0;
    offlineAdmit = () => true;
    ({ kiosk, session, outbox, link, members, signInStaff, stop } = await startKioskUnderTest({
      mode: () => mode,
      staffSession: () => staffSession,
      bundle: {
        get: () => bundle,
        set: (next) => {
          bundle = next;
        },
      },
      offlineAdmit: (request) => {
        offlineChecks += 1;
        return offlineAdmit(request);
      },
    }));
  });

  afterEach(() => stop());

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
});
