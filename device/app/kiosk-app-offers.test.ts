/**
 * What the kiosk offers the member on screen (member-offers.ts, through the use cases): a basket priced at the hub
 * or, offline, with the kiosk's own rules; newer rules taken before a catalogue made from them is answered; only
 * the gifts the kiosk's configuration names offered and redeemed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { LookupResponse } from '../../core/wire/lookup.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import { makeMember } from '../test-support/members.ts';
import type { KioskApp } from './kiosk-app.ts';
import { CARD, MEMBER_PRICES, startKioskUnderTest, type FakeLink } from './kiosk-app-test-support.ts';

describe('kiosk use cases', () => {
  let kiosk: KioskApp;
  let outbox: Outbox;
  let link: FakeLink;
  let members: Map<string, LookupResponse>;
  let refreshed: number[];
  let stop: () => void;
  let bundle: RulesBundle | null;
  /** The gifts the kiosk's configuration offers (null: all). */
  let offeredGifts: string[] | null;

  beforeEach(async () => {
    bundle = null;
    offeredGifts = null;
    ({ kiosk, outbox, link, members, refreshed, stop } = await startKioskUnderTest({
      bundle: {
        get: () => bundle,
        set: (next) => {
          bundle = next;
        },
      },
      offeredGifts: () => offeredGifts,
    }));
  });

  afterEach(() => stop());

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
});
