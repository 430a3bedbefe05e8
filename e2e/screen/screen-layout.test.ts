/**
 * Every journey of the kiosk screen at the three kiosk sizes (800×480 and 1024×600 landscape, 1080×1920
 * portrait) in zh-CN, and at 1024×600 in English, in a real browser against a real hub and kiosk: on each screen
 * the primary action (and the way back or out) is inside the viewport and not covered, nothing sticks out of the
 * viewport or is cut off, the page does not scroll, touch targets are at least 48 px, and the screen speaks one
 * language (names and codes excepted). Each screen is saved to docs/screenshots/kiosk-<journey>-<size>-<locale>.png.
 *
 * The journeys are walked as a person would, once per size and language: the idle prompt, a member's home, the
 * pay page with a basket the hub has priced, the result, an unknown card, the staff PIN pad; then, with the hub
 * away, a member from the cache and a card that cannot be checked. Faults are collected (expect.soft) so one run
 * reports every size and language.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS, DEMO_STAFF_CARD } from '../../hub/demo/seed-demo-data.ts';
import { checkScreen } from './support/check-screen.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { SIZE_LOCALES } from './support/screen-shots.ts';
import { backToIdle, byTest, DEMO_STORE_NAME, publishShop, useLocale } from './support/screen-steps.ts';
import { seen } from './support/seen.ts';

const UNKNOWN_CARD = '04DEADBEEF01';
/** Data, not the screen's words: the member's and the store's names as the demo hub has them. */
const DATA = ['Zhang Min', DEMO_STORE_NAME];

describe('the kiosk screen’s layout at every kiosk size, in zh-CN and English (real hub, real kiosk, headless Chromium)', () => {
  let h: ScreenHarness | null = null;
  let page: Page;

  beforeAll(async () => {
    h = await startScreenHarness({ deviceId: 'kiosk-layout', prepareHub: publishShop, tuning: { session: { memberMs: 600_000 } } });
    page = h.page;
    await seen(page, byTest(page, 'link'), 'the kiosk online');
  });

  afterAll(async () => {
    const problems = [...(h?.problems ?? [])];
    await h?.dispose();
    expect(problems).toEqual([]);
  });

  for (const { size, locale } of SIZE_LOCALES) {
    it(`walks the journeys at ${size.name} in ${locale}`, async () => {
      const check = async (journey: string, required: readonly string[]) => {
        expect.soft(await checkScreen(page, { journey, size, locale, required, data: DATA })).toEqual([]);
      };
      await page.setViewportSize(size);
      await backToIdle(page, h!.apiUrl);
      await useLocale(page, locale);
      await check('idle', ['[data-test="idle-title"]']);

      await h!.tap(DEMO_CARDS.gold);
      await seen(page, byTest(page, 'member-home'), 'the member’s home');
      await check('member', ['[data-test="tile-pay"]', '[data-test="done"]', '[data-test="stored-value"]']);

      await byTest(page, 'tile-pay').click();
      await byTest(page, 'item-COFFEE').click();
      await byTest(page, 'item-SANDWICH').click();
      await byTest(page, 'more-COFFEE').click();
      // The hub's price for the basket, not "pricing…": ¥3.50 × 2 + ¥12.00.
      await seen(page, byTest(page, 'total').getByText('¥19.00', { exact: true }), 'the priced basket');
      await check('pay', ['[data-test="pay"]', '[data-test="back"]', '[data-test="total"]']);

      await byTest(page, 'pay').click();
      await seen(page, byTest(page, 'print-state'), 'the result with its receipt state');
      await check('result', ['[data-test="done"]', '[data-test="result-title"]', '[data-test="result-stored-value"]']);

      await byTest(page, 'done').click();
      await seen(page, byTest(page, 'idle'), 'the idle prompt');
      await useLocale(page, locale);
      await h!.tap(UNKNOWN_CARD);
      await seen(page, byTest(page, 'card-error'), 'the unknown card');
      await check('unknown-card', ['[data-test="register"]', '[data-test="not-now"]', '[data-test="error-title"]']);

      await byTest(page, 'not-now').click();
      await seen(page, byTest(page, 'idle'), 'the idle prompt');
      await useLocale(page, locale);
      await h!.tap(DEMO_STAFF_CARD);
      await seen(page, byTest(page, 'staff-pin'), 'the staff PIN pad');
      await check('staff-pin', ['[data-test="pin-ok"]', '[data-test="pin-cancel"]', '[data-test="staff-pin"] [data-key="0"]']);
      await byTest(page, 'pin-cancel').click();
      await seen(page, byTest(page, 'idle'), 'the idle prompt');
    });
  }

  it('with the hub away: a member from the cache and a card that cannot be checked, at every size', async () => {
    await h!.pauseHub();
    try {
      await seen(page, byTest(page, 'link').getByText('离线', { exact: true }), 'the kiosk offline');
      for (const { size, locale } of SIZE_LOCALES) {
        const check = async (journey: string, required: readonly string[]) => {
          expect.soft(await checkScreen(page, { journey, size, locale, required, data: DATA })).toEqual([]);
        };
        await page.setViewportSize(size);
        await backToIdle(page, h!.apiUrl);
        await useLocale(page, locale);
        await h!.tap(DEMO_CARDS.gold);
        await seen(page, byTest(page, 'offline-balance'), 'the cached member, marked offline');
        await check('member-offline', ['[data-test="tile-pay"]', '[data-test="done"]', '[data-test="offline-balance"]']);

        await backToIdle(page, h!.apiUrl);
        await useLocale(page, locale);
        await h!.tap(UNKNOWN_CARD);
        await seen(page, byTest(page, 'card-error').and(page.locator('[data-code="CARD_CHECK_UNAVAILABLE"]')), 'a card that cannot be checked now');
        await check('card-unavailable', ['[data-test="done"]', '[data-test="error-title"]']);
      }
    } finally {
      await h!.resumeHub();
    }
  });
});
