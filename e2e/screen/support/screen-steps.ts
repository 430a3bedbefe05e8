/**
 * Steps the screen tests share: the shop the test store sells (HQ's signed configuration — the screen has no
 * shop of its own), the language switch, the way back to the idle prompt, and keying digits on the screen's
 * number pad. Selectors are the components' data-test attributes (grep 'data-test' device/screen/src).
 */
import type { Locator, Page } from 'playwright-core';
import { DEMO_STORE_ID } from '../../../hub/demo/seed-demo-data.ts';
import type { TestHub } from '../../../hub/testing/start-test-hub.ts';
import { publishConfig } from '../../support/hub-config.ts';
import { seen } from './seen.ts';
import type { ScreenLocale } from './screen-words.ts';

export interface ShopItem {
  sku: string;
  category: string;
  priceCents: number;
  name: { 'zh-CN': string; en?: string };
}

/** Coffee ¥3.50 and a sandwich ¥12.00 first (the prices the tests count with), then enough to fill a page. */
export const TEST_SHOP: readonly ShopItem[] = [
  { sku: 'COFFEE', category: 'drinks', priceCents: 350, name: { 'zh-CN': '咖啡', en: 'Coffee' } },
  { sku: 'SANDWICH', category: 'food', priceCents: 1200, name: { 'zh-CN': '三明治', en: 'Sandwich' } },
  { sku: 'WATER', category: 'drinks', priceCents: 300, name: { 'zh-CN': '矿泉水 550ml', en: 'Mineral water 550 ml' } },
  { sku: 'MILK', category: 'dairy', priceCents: 1550, name: { 'zh-CN': '鲜牛奶 1L', en: 'Fresh milk 1 L' } },
  { sku: 'BREAD', category: 'bakery', priceCents: 1200, name: { 'zh-CN': '全麦面包', en: 'Wholemeal bread' } },
  { sku: 'APPLE', category: 'fruit', priceCents: 1990, name: { 'zh-CN': '红富士苹果 1kg', en: 'Fuji apples 1 kg' } },
  { sku: 'RICE', category: 'grocery', priceCents: 4990, name: { 'zh-CN': '东北大米 5kg', en: 'Northeast rice 5 kg' } },
];

/** HQ publishes the store's shop (a prepareHub step). */
export async function publishShop(hub: TestHub, items: readonly ShopItem[] = TEST_SHOP): Promise<void> {
  await publishConfig(hub, `store:${DEMO_STORE_ID}`, { items });
}

export const byTest = (page: Page | Locator, name: string): Locator => page.locator(`[data-test="${name}"]`);

/** The data-test names of what `locator` matches, in page order. */
export async function dataTestsOf(locator: Locator): Promise<string[]> {
  return Promise.all((await locator.all()).map(async (el) => (await el.getAttribute('data-test')) ?? ''));
}

/** Switches the screen's language with its own switch (a person's choice, until the session ends). */
export async function useLocale(page: Page, locale: ScreenLocale): Promise<void> {
  if ((await page.evaluate('document.documentElement.lang')) === locale) return;
  await byTest(page, `lang-${locale}`).click();
  // A locator, not waitForFunction: the screen's Content-Security-Policy forbids the eval that one polls with.
  await page.locator(`html[lang="${locale}"]`).waitFor({ state: 'attached', timeout: 5_000 });
}

/** Whatever is on screen, back to the idle prompt through the kiosk (as "done" does). */
export async function backToIdle(page: Page, apiUrl: string): Promise<void> {
  const res = await fetch(`${apiUrl}/session/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (!res.ok) throw new Error(`POST /api/session/reset answered ${res.status}`);
  await seen(page, byTest(page, 'idle'), 'the idle prompt');
}

/** Presses the digits on the number pad inside `scope`. */
export async function keyIn(scope: Locator, digits: string): Promise<void> {
  for (const digit of digits) await scope.locator(`[data-key="${digit}"]`).click();
}

/** The store's name as the hub's registry has it for the demo store: data, shown in the header. */
export { DEMO_STORE_NAME } from '../../../hub/demo/seed-demo-fleet.ts';
