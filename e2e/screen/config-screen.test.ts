/**
 * What HQ's signed configuration changes on the kiosk screen: the items the shop offers come from the store's
 * configuration (not the page's own three), and offline a stored-value payment over HQ's offline limit is
 * refused on the spot with a sentence that says, in yuan, what the card can still spend today.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { publishConfig } from '../support/hub-config.ts';
import { seen } from './support/seen.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';

const ITEMS = [
  { sku: 'TEA', category: 'drinks', priceCents: 500, name: { 'zh-CN': '茶', en: 'Tea' } },
  { sku: 'TV', category: 'electronics', priceCents: 500_000, name: { 'zh-CN': '电视', en: 'TV' } },
];

describe('signed configuration on the kiosk screen (real hub, real kiosk, headless Chromium)', () => {
  let h: ScreenHarness | null = null;

  beforeAll(async () => {
    h = await startScreenHarness({ deviceId: 'kiosk-config', prepareHub: async (hub) => void (await publishConfig(hub, `store:${DEMO_STORE_ID}`, { items: ITEMS })) });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('offers the store’s configured items and sells one, applied by the hub', async () => {
    const { page, hub } = h!;
    await h!.tap(DEMO_CARDS.gold);
    const buy = await seen(page, page.getByRole('region', { name: 'Buy' }), 'the purchase panel');
    await (await seen(page, buy.getByRole('button', { name: /茶 · Tea/ }), 'the configured tea')).click();
    expect(await buy.getByRole('button', { name: /Coffee/ }).count()).toBe(0);
    const before = (await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    await (await seen(page, buy.getByRole('button', { name: 'Pay ¥5.00' }), 'the tea’s price')).click();
    await seen(page, page.getByRole('heading', { name: 'Payment complete' }), '"Payment complete"');
    expect((await hub.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances.storedValueCents).toBe(before.storedValueCents - 500);
  });

  it('offline, refuses a ¥5,000 stored-value payment and says what the card can still spend today', async () => {
    const { page } = h!;
    await h!.tap(DEMO_CARDS.gold);
    await seen(page, page.getByRole('region', { name: 'Buy' }), 'the purchase panel');
    h!.stopHub();
    await seen(page, page.getByRole('status').filter({ hasText: /offline/i }), 'the kiosk offline');
    await h!.tap(DEMO_CARDS.gold);
    const buy = await seen(page, page.getByRole('region', { name: 'Buy' }), 'the purchase panel, from the cache');
    await (await seen(page, buy.getByRole('button', { name: /电视 · TV/ }), 'the configured TV')).click();
    await (await seen(page, buy.getByRole('button', { name: 'Pay ¥5,000.00' }), 'the TV’s price')).click();
    const alert = await seen(page, page.getByRole('alert').filter({ hasText: '今日离线储值余额还可用 ¥500.00' }), 'the offline limit refusal');
    expect(await alert.innerText()).toContain('OFFLINE_CARD_DAY_LIMIT');
  });
});
