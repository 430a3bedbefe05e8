/**
 * The member's PIN at the kiosk (member-pin.ts, through the use cases): asked above the chain's amount and named
 * as the hub's proof, kept for that card only, impossible without the hub, and the one way to report a card lost
 * without the card (by phone and PIN).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LookupResponse } from '../../core/wire/lookup.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import { makeMember } from '../test-support/members.ts';
import type { KioskApp } from './kiosk-app.ts';
import { CARD, startKioskUnderTest, type FakeLink, type PinRules } from './kiosk-app-test-support.ts';

describe('kiosk use cases', () => {
  let kiosk: KioskApp;
  let outbox: Outbox;
  let link: FakeLink;
  let members: Map<string, LookupResponse>;
  let stop: () => void;
  /** The chain's member-PIN setting as the kiosk's rules hold it (null: no PIN asked). */
  let pinRules: PinRules;

  beforeEach(async () => {
    pinRules = null;
    ({ kiosk, outbox, link, members, stop } = await startKioskUnderTest({ pinRules: () => pinRules }));
  });

  afterEach(() => stop());

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
