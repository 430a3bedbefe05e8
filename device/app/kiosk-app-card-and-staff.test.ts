/**
 * Who a transaction is for and who is named on it: only the card on the kiosk's reader (a request naming a card or
 * a staff member is refused), the clerk signed in with staff card and PIN as the actor of staff actions (until the
 * session expires), and no cash taken where nobody is there to take it (transaction-body.ts, through the use cases).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import type { KioskApp } from './kiosk-app.ts';
import { CARD, CASHIER, coffee, PIN, STAFF, staffActor, startKioskUnderTest, type FakeLink, type KioskUnderTest } from './kiosk-app-test-support.ts';
import type { KioskEvent } from './kiosk-events.ts';

describe('kiosk use cases', () => {
  let kiosk: KioskApp;
  let session: KioskSession;
  let outbox: Outbox;
  let link: FakeLink;
  let screen: KioskEvent[];
  let sessionNames: KioskUnderTest['sessionNames'];
  let signInStaff: KioskUnderTest['signInStaff'];
  let stop: () => void;
  let mode: KioskMode;
  let staffSession: StaffSessionView;

  beforeEach(async () => {
    mode = 'unattended';
    staffSession = CASHIER;
    ({ kiosk, session, outbox, link, screen, sessionNames, signInStaff, stop } = await startKioskUnderTest({ mode: () => mode, staffSession: () => staffSession }));
  });

  afterEach(() => stop());

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

  it('refuses a member action with no card given and none on screen', async () => {
    await expect(kiosk.purchase(coffee)).rejects.toMatchObject({ code: 'SESSION_NO_CARD', name: 'KioskError' });
    await expect(kiosk.registerMember({ name: 'X', phone: '13900000000' })).rejects.toMatchObject({ code: 'SESSION_NO_CARD' });
    await expect(kiosk.quote([{ sku: 'COFFEE', category: 'drinks', qty: 1, unitPriceCents: 350 }])).rejects.toMatchObject({ code: 'SESSION_NO_CARD' });
    expect(() => kiosk.beginRegistration()).toThrowError(expect.objectContaining({ code: 'REGISTER_NOT_OFFERED' }));
    expect(outbox.depth()).toBe(0);
  });
});
