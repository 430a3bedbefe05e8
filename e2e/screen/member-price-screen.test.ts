/**
 * The screen charges what the hub's rules say the basket costs this member: with a gold member price on coffee
 * the basket shows the member saving and the total the hub quoted, the pay button names that total, and the hub
 * applies the payment (a shelf price would have been refused as PAYMENT_MISMATCH).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { publishConfig } from '../support/hub-config.ts';
import { seen } from './support/seen.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { byTest, publishShop } from './support/screen-steps.ts';

/** Coffee is ¥3.50 on the shelf and ¥2.80 for gold members: HQ publishes it for every store (signed configuration). */
const MEMBER_PRICES = { rules: [{ kind: 'member_price', id: 'gold-coffee', label: 'gold coffee price', tiers: ['gold'], prices: { COFFEE: 280 } }] };

describe('member prices on the kiosk screen (real hub, real kiosk, headless Chromium)', () => {
  let h: ScreenHarness | null = null;

  beforeAll(async () => {
    h = await startScreenHarness({
      deviceId: 'kiosk-price',
      prepareHub: async (hub) => {
        await publishConfig(hub, 'global', { rules: MEMBER_PRICES });
        await publishShop(hub);
      },
    });
  });

  afterAll(async () => {
    const audit = await h?.hub.hub.store.audit();
    await h?.dispose();
    expect(audit).toEqual([]);
  });

  it('charges the member price the hub quotes and the hub applies it', async () => {
    const { page, hub } = h!;
    await h!.tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-pay'), 'the pay tile')).click();
    await byTest(page, 'item-COFFEE').click();
    await byTest(page, 'more-COFFEE').click();
    const basket = byTest(page, 'basket');
    // 2 × ¥2.80 = ¥5.60 instead of 2 × ¥3.50 = ¥7.00
    await seen(page, basket.getByText('¥7.00', { exact: true }), 'the shelf price of the items');
    await expect((await seen(page, byTest(basket, 'discount'), 'the member saving')).innerText()).resolves.toMatch(/^会员优惠\s+−¥1\.40$/);
    await seen(page, byTest(basket, 'total').getByText('¥5.60', { exact: true }), 'the member-price total');
    const before = (await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    await (await seen(page, byTest(page, 'pay').getByText('支付 ¥5.60', { exact: true }), 'the pay button with the member-price total')).click();
    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('支付成功', { exact: true }), '"支付成功"');
    const after = (await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    expect(after.storedValueCents).toBe(before.storedValueCents - 560);
    // 5.60 yuan × 1.5 (gold) = 8.4 → 8 points
    expect(after.points).toBe(before.points + 8);
    await expect(byTest(result, 'result-facts').innerText()).resolves.toMatch(/获得积分\s+\+8/);
  });
});
