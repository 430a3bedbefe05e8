/**
 * What HQ's signed configuration changes on the kiosk screen: the items the shop offers come from the store's
 * configuration (the screen has none of its own), and offline a stored-value payment over HQ's offline limit is
 * refused on the spot with words that say, in yuan, what the card can still spend today.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { seen } from './support/seen.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { byTest, publishShop } from './support/screen-steps.ts';

const ITEMS = [
  { sku: 'TEA', category: 'drinks', priceCents: 500, name: { 'zh-CN': '茶', en: 'Tea' } },
  { sku: 'TV', category: 'electronics', priceCents: 500_000, name: { 'zh-CN': '电视', en: 'TV' } },
];

describe('signed configuration on the kiosk screen (real hub, real kiosk, headless Chromium)', () => {
  let h: ScreenHarness | null = null;

  beforeAll(async () => {
    h = await startScreenHarness({ deviceId: 'kiosk-config', prepareHub: (hub) => publishShop(hub, ITEMS) });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('offers the store’s configured items, in Chinese, and sells one, applied by the hub', async () => {
    const { page, hub } = h!;
    await h!.tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-pay'), 'the pay tile')).click();
    const tea = await seen(page, byTest(page, 'item-TEA'), 'the configured tea');
    await expect(tea.innerText()).resolves.toMatch(/^茶\s+¥5\.00$/);
    await expect(byTest(page, 'item-TV').innerText()).resolves.toMatch(/^电视\s+¥5,000\.00$/);
    // Only what HQ configured: nothing else on the shelf.
    await expect(page.locator('[data-test^="item-"]').count()).resolves.toBe(2);
    await tea.click();
    const before = (await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    await (await seen(page, byTest(page, 'pay').getByText('支付 ¥5.00', { exact: true }), 'the tea’s price on the pay button')).click();
    await seen(page, byTest(page, 'result-title').getByText('支付成功', { exact: true }), '"支付成功"');
    expect((await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances.storedValueCents).toBe(before.storedValueCents - 500);
  });

  it('offline, refuses a ¥5,000 stored-value payment and says, in yuan, what the card can still spend today', async () => {
    const { page } = h!;
    await byTest(page, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');
    h!.stopHub();
    await seen(page, byTest(page, 'link').getByText('离线', { exact: true }), 'the kiosk offline');
    await h!.tap(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'offline-balance'), 'the member, from the cache');
    await byTest(page, 'tile-pay').click();
    await (await seen(page, byTest(page, 'item-TV'), 'the configured TV')).click();
    await (await seen(page, byTest(page, 'pay').getByText('支付 ¥5,000.00', { exact: true }), 'the TV’s price')).click();
    const refusal = await seen(page, byTest(page, 'refusal'), 'the offline limit refusal');
    await expect(refusal.getAttribute('data-code')).resolves.toBe('OFFLINE_CARD_DAY_LIMIT');
    await seen(page, refusal.getByText('超出今日离线支付额度'), 'the refusal in words');
    // HQ's default offline limit: ¥500.00 per card per day, none of it spent yet — the amount, in yuan, on screen.
    await seen(page, refusal.getByText(/¥500\.00/), 'what the card can still spend offline today, in yuan');
    await expect(refusal.innerText()).resolves.toContain('代码：OFFLINE_CARD_DAY_LIMIT');
    // In Chinese only: the kiosk's bilingual message must not be pasted in whole.
    await expect(refusal.innerText()).resolves.not.toMatch(/The kiosk is offline/);
  });
});
