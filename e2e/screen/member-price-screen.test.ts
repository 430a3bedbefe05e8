/**
 * The screen charges what the hub's rules say the basket costs this member: with a gold member price on coffee
 * the Pay button shows the member price, the saving is spelled out, and the hub applies the payment (a shelf
 * price would have been refused as PAYMENT_MISMATCH).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { publishConfig } from '../support/hub-config.ts';
import { seen } from './support/seen.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';

/** Coffee is ¥3.50 on the shelf and ¥2.80 for gold members: HQ publishes it for every store (signed configuration). */
const MEMBER_PRICES = { rules: [{ kind: 'member_price', id: 'gold-coffee', label: 'gold coffee price', tiers: ['gold'], prices: { COFFEE: 280 } }] };

describe('member prices on the kiosk screen (real hub, real kiosk, headless Chromium)', () => {
  let h: ScreenHarness | null = null;

  beforeAll(async () => {
    h = await startScreenHarness({ deviceId: 'kiosk-price', prepareHub: async (hub) => void (await publishConfig(hub, 'global', { rules: MEMBER_PRICES })) });
  });

  afterAll(async () => {
    const audit = await h?.hub.hub.store.audit();
    await h?.dispose();
    expect(audit).toEqual([]);
  });

  it('charges the member price the hub quotes and the hub applies it', async () => {
    const { page, hub } = h!;
    await h!.tap(DEMO_CARDS.gold);
    const buy = await seen(page, page.getByRole('region', { name: 'Buy' }), 'the purchase panel');
    await buy.getByRole('button', { name: /Coffee/ }).click();
    await buy.getByRole('button', { name: 'One more' }).click();
    // 2 × ¥2.80 = ¥5.60 instead of 2 × ¥3.50 = ¥7.00
    await seen(page, buy.getByText('you save ¥1.40'), 'the saving');
    const before = (await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    await (await seen(page, buy.getByRole('button', { name: 'Pay ¥5.60' }), 'the member-price total')).click();
    const result = await seen(page, page.getByRole('region', { name: 'Result' }), 'the result panel');
    await seen(page, result.getByRole('heading', { name: 'Payment complete' }), '"Payment complete"');
    const after = (await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    expect(after.storedValueCents).toBe(before.storedValueCents - 560);
    // 5.60 yuan × 1.5 (gold) = 8.4 → 8 points
    expect(after.points).toBe(before.points + 8);
  });
});
