/**
 * Registering a new member at the kiosk: only the card whose form is on screen, never one a request names; the new
 * member shown with a welcome without a second tap, or the form kept with the refusal or the news it is queued
 * (transaction-screens.ts, through the use cases).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LookupResponse } from '../../core/wire/lookup.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { makeMember } from '../test-support/members.ts';
import type { KioskApp } from './kiosk-app.ts';
import { FRESH, startKioskUnderTest, type FakeLink, type KioskUnderTest } from './kiosk-app-test-support.ts';
import type { KioskEvent } from './kiosk-events.ts';

describe('kiosk use cases', () => {
  let kiosk: KioskApp;
  let session: KioskSession;
  let outbox: Outbox;
  let link: FakeLink;
  let members: Map<string, LookupResponse>;
  let screen: KioskEvent[];
  let sessionNames: KioskUnderTest['sessionNames'];
  let stop: () => void;

  beforeEach(async () => {
    ({ kiosk, session, outbox, link, members, screen, sessionNames, stop } = await startKioskUnderTest());
  });

  afterEach(() => stop());

  it('registers only the card of the form on screen, never one named in the body', async () => {
    await kiosk.tapSimulatedCard(FRESH);
    kiosk.beginRegistration();
    await expect(kiosk.registerMember({ cardUid: '04F00D000002', name: 'Bai Lu', phone: '13900000011' })).rejects.toMatchObject({ code: 'CARD_NOT_ON_READER' });
    expect(outbox.depth()).toBe(0);
    expect(session.view()).toMatchObject({ name: 'register', notice: null });
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
});
