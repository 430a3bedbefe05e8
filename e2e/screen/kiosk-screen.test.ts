/**
 * The kiosk screen in a real browser, against a real hub and a real kiosk: headless Chromium (Debian's, via
 * playwright-core) opens the screen app the kiosk serves (device/screen/, built by the test run) and acts as a
 * shopper would. Taps come from the test through POST /api/sim/tap, since the simulated reader is the only "hand"
 * here; everything else is clicks on what the shopper sees. The screen speaks zh-CN first, so the words checked
 * are its Chinese ones; elements are found by their data-test names.
 *
 * The steps share one hub, kiosk and browser and run in order (a purchase needs a member on screen; the
 * offline step stops the hub), so they are one scenario split into named steps. The page is pushed what it
 * shows over one event stream: the steps also check from the page's own requests that it polls nothing.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { backToIdle, byTest, publishShop, useLocale } from './support/screen-steps.ts';
import { seen } from './support/seen.ts';

const GOLD_MEMBER_ID = 'M0003';
const UNKNOWN_CARD = '04DEADBEEF00';

describe('kiosk screen in a real browser', () => {
  let h: ScreenHarness | null = null;
  let page: Page;
  const tap = (uid: string) => h!.tap(uid);
  const idleTitle = () => byTest(page, 'idle-title');

  async function done(): Promise<void> {
    await byTest(page, 'done').click();
    await seen(page, idleTitle().getByText('请刷会员卡', { exact: true }), 'the idle prompt again');
  }

  beforeAll(async () => {
    h = await startScreenHarness({ deviceId: 'kiosk-screen', prepareHub: publishShop });
    page = h.page;
  });

  afterAll(async () => {
    const problems = [...(h?.problems ?? [])];
    await h?.dispose();
    expect(problems).toEqual([]);
  });

  it('invites a tap while idle, in Chinese', async () => {
    await seen(page, idleTitle().getByText('请刷会员卡', { exact: true }), 'the idle prompt "请刷会员卡"');
    await seen(page, page.getByText('将会员卡平放在读卡器上'), 'how to tap');
    await seen(page, byTest(page, 'link').getByText('在线', { exact: true }), 'the kiosk online');
    await expect(page.evaluate('document.documentElement.lang')).resolves.toBe('zh-CN');
    await expect(byTest(page, 'member-home').count()).resolves.toBe(0);
    // This browser asks for less motion (the harness): the reader's pulse stands still.
    await expect(page.evaluate(`getComputedStyle(document.querySelector('.pulse')).animationName`)).resolves.toBe('none');
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
    await seen(page, byTest(page, 'member-name').getByText('Zhang Min', { exact: true }), 'the member, pushed');
    // With a member on screen the page reads the kiosk's state once (a new configuration may have come) and what it
    // may offer this member once; it never asks for the session, and asks nothing again while the member looks.
    await page.waitForTimeout(3000);
    const asked = h!.requests.filter((r) => r.at >= tapped && r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`);
    expect(asked.filter((r) => r.endsWith(' /api/session'))).toEqual([]);
    expect(h!.requestsTo('/api/state', tapped)).toHaveLength(1);
    expect(asked.filter((r, i) => asked.indexOf(r) !== i), `asked more than once: ${asked.join(', ')}`).toEqual([]);
    await done();
  });

  it('shows the member, tier, balances in yuan, points with their expiry and the tier progress after a tap', async () => {
    await tap(DEMO_CARDS.gold);
    const member = await seen(page, byTest(page, 'member-summary'), 'the member panel');
    await seen(page, byTest(member, 'member-name').getByText('Zhang Min', { exact: true }), 'the member name');
    await seen(page, byTest(member, 'member-tier').getByText('金卡会员', { exact: true }), 'the tier, in words');
    // Demo opening balances: ¥1,000.00 topped up, a cash purchase of ¥800.00 that earned 1,200 points.
    await seen(page, byTest(member, 'stored-value').getByText('¥1,000.00', { exact: true }), 'stored value ¥1,000.00');
    await seen(page, byTest(member, 'points').getByText('1,200', { exact: true }), '1,200 points');
    await seen(page, byTest(member, 'points-expiry').getByText(/^1,200 积分将于 \d{4}年\d{1,2}月\d{1,2}日 到期$/), 'when the points expire');
    await seen(page, byTest(member, 'tier-progress').getByText(/升级为钻石会员$/), 'how far to the next tier');
    // The card number is masked: its last four only.
    await expect(member.innerText()).resolves.toContain('**********E5F6');
    await expect(member.innerText()).resolves.not.toContain(DEMO_CARDS.gold);
    await expect(byTest(member, 'offline-balance').count()).resolves.toBe(0);
  });

  it('takes a purchase through the on-screen buttons and shows the applied result and new balances', async () => {
    await byTest(page, 'tile-pay').click();
    const basket = await seen(page, byTest(page, 'basket'), 'the basket');
    await byTest(page, 'item-COFFEE').click();
    await byTest(page, 'more-COFFEE').click();
    await seen(page, basket.locator('.qty').getByText('2', { exact: true }), 'quantity 2');
    // An attended kiosk offers stored value and cash; stored value is chosen.
    await expect(byTest(page, 'method-stored-value').getAttribute('aria-pressed')).resolves.toBe('true');
    await seen(page, byTest(basket, 'total').getByText('¥7.00', { exact: true }), 'the hub’s total ¥7.00');
    const pay = await seen(page, byTest(page, 'pay').getByText('支付 ¥7.00', { exact: true }), 'the pay button with the total ¥7.00');
    await pay.click();

    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('支付成功', { exact: true }), '"支付成功"');
    const facts = byTest(result, 'result-facts');
    await expect(facts.innerText()).resolves.toMatch(/支付\s+−¥7\.00/);
    await expect(facts.innerText()).resolves.toMatch(/获得积分\s+\+10/);
    await seen(page, byTest(result, 'result-stored-value').getByText('¥993.00', { exact: true }), 'stored value now ¥993.00');
    await seen(page, byTest(result, 'result-points').getByText('1,210', { exact: true }), 'points now 1,210 (7 base + gold ×1.5)');
    await seen(page, byTest(result, 'print-state').getByText('小票已打印，请取走。'), 'the receipt printed');

    // The screen told the truth: the hub's ledger holds the same balances.
    const view = await h!.hub.hub.store.memberViewById(GOLD_MEMBER_ID, 5);
    expect(view?.balances).toMatchObject({ storedValueCents: 99_300, points: 1_210 });

    // Carry on: back to the member's own screen, with the new balance, without tapping again.
    await byTest(result, 'back-to-member').click();
    await seen(page, byTest(page, 'stored-value').getByText('¥993.00', { exact: true }), 'the member panel updated to ¥993.00');
    await done();
    await expect(page.locator('body').innerText()).resolves.not.toContain('Zhang Min');
    // The result reached the page pushed: the page never read the session itself.
    expect(h!.requestsTo('/api/session')).toEqual([]);
  });

  it('speaks English when asked, and Chinese again for the next person', async () => {
    try {
      await byTest(page, 'lang-en').click();
      await seen(page, idleTitle().getByText('Tap your card', { exact: true }), 'the idle prompt in English');
      await tap(DEMO_CARDS.gold);
      await seen(page, byTest(page, 'member-tier').getByText('Gold', { exact: true }), 'the tier in English');
      await seen(page, byTest(page, 'tile-pay').getByText('Pay', { exact: true }), 'the pay tile in English');
      await byTest(page, 'done').click();
      // The session ended: the kiosk's default language for whoever comes next.
      await seen(page, idleTitle().getByText('请刷会员卡', { exact: true }), 'the idle prompt back in Chinese');
      await expect(page.evaluate('document.documentElement.lang')).resolves.toBe('zh-CN');
    } finally {
      // The steps after this one read Chinese: whatever failed here, the next person starts from zh-CN.
      await backToIdle(page, h!.apiUrl);
      await useLocale(page, 'zh-CN');
    }
  });

  it('reconnects when the kiosk restarts and loads the current view from the new stream', async () => {
    const streamsBefore = h!.requestsTo('/api/events').length;
    // Keep the page from reconnecting until the member is on the new kiosk's screen: it can then learn of them
    // only from the current view a new stream starts with.
    await page.route('**/api/events', (route) => route.abort());
    await h!.restartKiosk();
    await seen(page, byTest(page, 'kiosk-restarting').getByText('自助机服务正在重启…'), 'that the kiosk is away');
    await tap(DEMO_CARDS.gold);
    await page.waitForTimeout(1500);
    await expect(byTest(page, 'idle').isVisible()).resolves.toBe(true);
    await page.unroute('**/api/events');
    await seen(page, byTest(page, 'member-name').getByText('Zhang Min', { exact: true }), 'the member, from the new stream’s first event');
    await seen(page, byTest(page, 'link').getByText('在线', { exact: true }), 'the kiosk online again');
    expect(h!.requestsTo('/api/events').length).toBeGreaterThan(streamsBefore + 1);
    expect(h!.requestsTo('/api/session')).toEqual([]);
    await done();
  });

  it('explains an unknown card in plain words, with the code underneath and the offer to register it', async () => {
    await tap(UNKNOWN_CARD);
    const error = await seen(page, byTest(page, 'card-error'), 'the card error');
    await seen(page, byTest(error, 'error-title').getByText('此卡尚未注册', { exact: true }), '"此卡尚未注册"');
    await seen(page, error.getByText(/这张卡还不是会员卡/), 'a sentence saying what it means');
    await seen(page, error.getByText('代码：CARD_UNKNOWN', { exact: true }), 'the code CARD_UNKNOWN, small, for staff');
    await seen(page, byTest(error, 'register').getByText('注册此卡', { exact: true }), 'the offer to register');
    await byTest(error, 'not-now').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt after "暂不注册"');
  });

  it('shows the cached member with a visible offline badge once the hub is gone, and never calls a card it cannot check unknown', async () => {
    h!.stopHub();
    await seen(page, byTest(page, 'link').getByText('离线', { exact: true }), 'the kiosk offline');
    await tap(DEMO_CARDS.gold);
    const member = await seen(page, byTest(page, 'member-summary'), 'the member panel from the cache');
    await seen(page, byTest(member, 'member-name').getByText('Zhang Min', { exact: true }), 'the cached member name');
    await seen(page, byTest(member, 'offline-balance').getByText(/^本机离线 · 余额截至 /), 'the offline badge with the balance’s age');
    // The cache holds what the kiosk last saw: the look-up after the purchase (¥993.00).
    await seen(page, byTest(member, 'stored-value').getByText('¥993.00', { exact: true }), 'the cached stored value in yuan');
    await done();

    // A card this kiosk never saw, with the hub away: not "not registered", and no registration offered.
    await tap(UNKNOWN_CARD);
    const error = await seen(page, byTest(page, 'card-error'), 'the card error');
    await seen(page, byTest(error, 'error-title').getByText('暂时无法查询此卡', { exact: true }), '"暂时无法查询此卡"');
    await seen(page, error.getByText('代码：CARD_CHECK_UNAVAILABLE', { exact: true }), 'the code CARD_CHECK_UNAVAILABLE');
    await expect(byTest(error, 'register').count()).resolves.toBe(0);
    await expect(error.innerText()).resolves.not.toContain('尚未注册');
  });
});
