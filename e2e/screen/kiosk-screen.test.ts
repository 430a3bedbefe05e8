/**
 * The kiosk screen in a real browser, against a real hub and a real kiosk: headless Chromium (Debian's, via
 * playwright-core) opens the page the kiosk serves and acts as a shopper would. Taps come from the test
 * through POST /api/sim/tap, since the simulated reader is the only "hand" here; everything else is clicks on
 * what the shopper sees. Assertions are on visible text and roles, not on the page's internals.
 *
 * The steps share one hub, kiosk and browser and run in order (a purchase needs a member on screen; the
 * offline step stops the hub), so they are one scenario split into named steps. The page is pushed what it
 * shows over one event stream: the steps also check from the page's own requests that it polls nothing.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { seen } from './support/seen.ts';

const GOLD_MEMBER_ID = 'M0003';
const UNKNOWN_CARD = '04DEADBEEF00';

describe('kiosk screen in a real browser', () => {
  let h: ScreenHarness | null = null;
  let page: Page;
  const tap = (uid: string) => h!.tap(uid);

  beforeAll(async () => {
    h = await startScreenHarness({ deviceId: 'kiosk-screen' });
    page = h.page;
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('invites a tap while idle', async () => {
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt "Tap your card"');
    await seen(page, page.getByText('Hold your membership card'), 'how to tap');
    await seen(page, page.locator('#link').getByText('Online', { exact: true }), 'the kiosk online');
    await expect(page.getByRole('button', { name: /^Pay/ }).count()).resolves.toBe(0);
  });

  it('is pushed what to show: one event stream, no API request while idle, a tap arrives without asking', async () => {
    expect(h!.requestsTo('/api/events')).toHaveLength(1);
    // Three seconds idle: a page that polled every 500 ms would have asked six times.
    const idleSince = Date.now();
    await page.waitForTimeout(3000);
    expect(h!.requests.filter((r) => r.at >= idleSince && r.path.startsWith('/api/'))).toEqual([]);

    // The reader, not the page, makes the change: the member reaches the page by push.
    const tapped = Date.now();
    await tap(DEMO_CARDS.gold);
    await seen(page, page.getByRole('region', { name: 'Your membership' }).getByRole('heading', { name: 'Zhang Min' }), 'the member, pushed');
    const asked = h!.requests.filter((r) => r.at >= tapped).map((r) => r.path);
    // The member screen asks for its offers and the kiosk's mode (whether cash may be offered) once; never for the session.
    expect(asked.every((path) => path === '/api/catalog' || path === '/api/quote' || path === '/api/state'), asked.join(', ')).toBe(true);
    expect(h!.requestsTo('/api/session')).toEqual([]);
    expect(h!.requestsTo('/api/state', tapped)).toHaveLength(1);
    await page.getByRole('button', { name: /Done/ }).click();
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt again');
  });

  it('shows the member, tier, balances in yuan, points and recent history after a tap', async () => {
    await tap(DEMO_CARDS.gold);
    const member = await seen(page, page.getByRole('region', { name: 'Your membership' }), 'the member panel');
    await seen(page, member.getByRole('heading', { name: 'Zhang Min' }), 'the member name');
    await seen(page, member.getByText('Gold member'), 'the tier');
    await seen(page, member.getByText('Live balance'), 'the live badge');
    // Demo opening balances: ¥1,000.00 topped up, a cash purchase of ¥800.00 that earned 1,200 points.
    await seen(page, member.getByText('¥1,000.00', { exact: true }), 'stored value ¥1,000.00');
    await seen(page, member.getByText('1,200', { exact: true }), '1,200 points');
    await seen(page, member.getByText('Recent activity'), 'the history heading');
    await seen(page, member.getByRole('cell', { name: 'Top-up', exact: true }), 'the top-up in history');
    await seen(page, member.getByText('+¥1,000.00'), 'the top-up amount in history');
    await seen(page, member.getByRole('cell', { name: 'Purchase', exact: true }), 'the purchase in history');
    await seen(page, member.getByText('+1,200 pts'), 'the points the purchase earned');
    await expect(member.getByText('Offline', { exact: false }).count()).resolves.toBe(0);
  });

  it('takes a purchase through the on-screen buttons and shows the applied result and new balances', async () => {
    const buy = await seen(page, page.getByRole('region', { name: 'Buy' }), 'the purchase panel');
    await buy.getByRole('button', { name: /Coffee/ }).click();
    await buy.getByRole('button', { name: 'One more' }).click();
    await seen(page, buy.locator('output').getByText('2', { exact: true }), 'quantity 2');
    await buy.getByRole('button', { name: 'Stored value' }).click();
    await expect(buy.getByRole('button', { name: 'Stored value' }).getAttribute('aria-pressed')).resolves.toBe('true');
    const pay = await seen(page, buy.getByRole('button', { name: 'Pay ¥7.00' }), 'the pay button with the total ¥7.00');
    await pay.click();

    const result = await seen(page, page.getByRole('region', { name: 'Result' }), 'the result panel');
    await seen(page, result.getByRole('heading', { name: 'Payment complete' }), '"Payment complete"');
    await seen(page, result.getByText('Paid from stored value'), 'what was paid');
    await seen(page, result.getByText('¥7.00', { exact: true }), 'the amount paid ¥7.00');
    await seen(page, result.getByText('Points earned'), 'points earned');
    await seen(page, result.getByText('+10', { exact: true }), '+10 points (7 base + gold ×1.5)');
    await seen(page, result.getByText('¥993.00', { exact: true }), 'stored value now ¥993.00');
    await seen(page, result.getByText('1,210', { exact: true }), 'points now 1,210');
    const member = page.getByRole('region', { name: 'Your membership' });
    await seen(page, member.getByText('¥993.00', { exact: true }), 'the member panel updated to ¥993.00');

    // The screen told the truth: the hub's ledger holds the same balances.
    const view = await h!.hub.hub.store.memberViewById(GOLD_MEMBER_ID, 5);
    expect(view?.balances).toMatchObject({ storedValueCents: 99_300, points: 1_210 });

    await result.getByRole('button', { name: /Done/ }).click();
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt again after Done');
    await expect(page.getByText('Zhang Min').count()).resolves.toBe(0);
    // The result reached the page once, pushed: the page never read the session itself.
    expect(h!.requestsTo('/api/session')).toEqual([]);
  });

  it('reconnects when the kiosk restarts and loads the current view from the new stream', async () => {
    const streamsBefore = h!.requestsTo('/api/events').length;
    // Keep the page from reconnecting until the member is on the new kiosk's screen: it can then learn of them
    // only from the current view a new stream starts with.
    await page.route('**/api/events', (route) => route.abort());
    await h!.restartKiosk();
    await seen(page, page.locator('#link').getByText('Kiosk service restarting…'), 'that the kiosk is away');
    await tap(DEMO_CARDS.gold);
    await page.waitForTimeout(1500);
    await expect(page.getByRole('heading', { name: 'Tap your card' }).isVisible()).resolves.toBe(true);
    await page.unroute('**/api/events');
    await seen(page, page.getByRole('region', { name: 'Your membership' }).getByRole('heading', { name: 'Zhang Min' }), 'the member, from the new stream\'s first event');
    await seen(page, page.locator('#link').getByText('Online', { exact: true }), 'the kiosk online again');
    expect(h!.requestsTo('/api/events').length).toBeGreaterThan(streamsBefore + 1);
    expect(h!.requestsTo('/api/session')).toEqual([]);
    await page.getByRole('button', { name: /Done/ }).click();
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt again');
  });

  it('explains an unknown card in plain words, with the code underneath', async () => {
    await tap(UNKNOWN_CARD);
    await seen(page, page.getByRole('heading', { name: 'This card is not registered yet' }), '"This card is not registered yet"');
    await seen(page, page.getByText('not registered as a membership card'), 'a sentence saying what to do');
    await seen(page, page.getByText(/Code: CARD_UNKNOWN/), 'the code CARD_UNKNOWN, small, for staff');
  });

  it('has touch targets of at least 48 px and no sideways scrolling, portrait and landscape', async () => {
    await tap(DEMO_CARDS.gold);
    await seen(page, page.getByRole('button', { name: /^Pay/ }), 'the member screen');
    for (const viewport of [{ width: 1080, height: 1920 }, { width: 800, height: 480 }, { width: 1024, height: 600 }, { width: 1280, height: 800 }]) {
      await page.setViewportSize(viewport);
      // A string, so this file needs no DOM types: it runs in the page.
      const layout = await page.evaluate<{ small: string[]; scrollWidth: number; innerWidth: number }>(`(() => {
        const small = [...document.querySelectorAll('button, summary, input, select')]
          .map((el) => ({ el, box: el.getBoundingClientRect() }))
          .filter(({ box }) => box.width > 0 && (box.height < 48 || box.width < 48))
          .map(({ el, box }) => el.tagName + ' "' + (el.textContent || '').trim().slice(0, 30) + '" ' + Math.round(box.width) + 'x' + Math.round(box.height));
        return { small, scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth };
      })()`);
      expect(layout.small, `touch targets under 48 px at ${viewport.width}×${viewport.height}`).toEqual([]);
      expect(layout.scrollWidth, `sideways scrolling at ${viewport.width}×${viewport.height}`).toBeLessThanOrEqual(layout.innerWidth);
      await expect(page.getByRole('button', { name: /^Pay/ }).isVisible()).resolves.toBe(true);
    }
    await page.getByRole('button', { name: /Done/ }).click();
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt again');
  });

  it('shows the cached member with a visible offline badge once the hub is gone', async () => {
    h!.stopHub();
    await tap(DEMO_CARDS.gold);
    const member = await seen(page, page.getByRole('region', { name: 'Your membership' }), 'the member panel from the cache');
    await seen(page, member.getByRole('heading', { name: 'Zhang Min' }), 'the cached member name');
    await seen(page, member.getByText(/Offline · balance as of/), 'the offline badge');
    await expect(member.getByText('Live balance').count()).resolves.toBe(0);
    // The cache holds what the kiosk last saw: either the look-up (¥1,000.00) or the purchase result (¥993.00).
    await seen(page, member.getByText(/^¥(1,000|993)\.00$/), 'a cached stored value in yuan');
  });
});
