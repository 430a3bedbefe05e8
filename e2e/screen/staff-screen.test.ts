/**
 * Staff on the kiosk screen, in a real browser against a real hub (demo data) and a real kiosk: the clerk taps
 * their staff card, the screen shows a PIN pad (not an error), a wrong PIN is refused in plain words, the right
 * one signs them in and a staff banner appears, pushed; with a member's card on the reader the staff actions the
 * role may do are offered (an unattended kiosk offers no cash), a bank-card top-up ends on the receipt, and the
 * hub's ledger and audit log show it, made by that staff member. Signing out takes the banner and the staff
 * actions away again. Taps come through POST /api/sim/tap; everything else is clicks on what the clerk sees.
 *
 * One scenario in named steps sharing a hub, kiosk and browser.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS, DEMO_STAFF_CARD, DEMO_STAFF_PIN } from '../../hub/demo/seed-demo-data.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { seen } from './support/seen.ts';

const GOLD_MEMBER_ID = 'M0003';

describe('staff on the kiosk screen in a real browser', () => {
  let h: ScreenHarness | null = null;
  let page: Page;
  const tap = (uid: string) => h!.tap(uid);
  const pinPad = () => page.getByRole('region', { name: 'Staff sign-in' });
  const banner = () => page.getByRole('status', { name: 'Staff signed in' });

  async function keyInPin(digits: string): Promise<void> {
    const keys = pinPad().getByRole('group', { name: 'PIN keypad' });
    for (const digit of digits) await keys.getByRole('button', { name: digit, exact: true }).click();
  }

  beforeAll(async () => {
    // A self-service kiosk on the shop floor: unattended, no cash.
    h = await startScreenHarness({ deviceId: 'kiosk-staff', mode: 'unattended' });
    page = h.page;
    await seen(page, page.locator('#link').getByText('Online', { exact: true }), 'the kiosk online');
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('shows a PIN pad, not an error, for a staff card; a wrong PIN is refused in plain words with the tries left', async () => {
    await tap(DEMO_STAFF_CARD);
    const pad = await seen(page, pinPad(), 'the PIN pad');
    await seen(page, pad.getByRole('heading', { name: /店员登录.*Staff sign-in/ }), 'the PIN pad heading, zh-CN first');
    await expect(page.getByText(/Code: CARD_IS_STAFF/).count()).resolves.toBe(0);
    const signIn = pad.getByRole('button', { name: /登录.*Sign in/ });
    // Fewer than four digits: nothing to send yet.
    await keyInPin('111');
    await expect(signIn.isDisabled()).resolves.toBe(true);
    await keyInPin('1');
    // The PIN is never shown: four dots.
    await expect(pad.getByText('1111').count()).resolves.toBe(0);
    await expect(pad.locator('.dot.on').count()).resolves.toBe(4);
    await signIn.click();

    const refusal = await seen(page, pad.getByRole('alert').filter({ hasText: 'Wrong PIN' }), 'the wrong PIN refusal');
    await expect(refusal.innerText()).resolves.toMatch(/PIN 码错误[\s\S]*还可尝试 4 次[\s\S]*4 attempts left[\s\S]*Code: STAFF_PIN_WRONG/);
    // Still on the pad, with the digits cleared for another try; nobody is signed in.
    await expect(pad.locator('.dot.on').count()).resolves.toBe(0);
    await expect(banner().isVisible()).resolves.toBe(false);
    expect(await (await fetch(`${h!.apiUrl}/staff`)).json()).toEqual({ staff: null });
    // On every kiosk size the whole pad (keys, refusal, Cancel and Sign in) is on screen without scrolling, keys at least 56 px.
    for (const viewport of [{ width: 800, height: 480 }, { width: 1024, height: 600 }, { width: 1080, height: 1920 }]) {
      await page.setViewportSize(viewport);
      const layout = await page.evaluate<{ outside: string[]; small: string[]; scrollWidth: number }>(`(() => {
        const els = [...document.querySelectorAll('.pin-pad button, .pin-pad [role=alert]')];
        const label = (el) => el.tagName + ' "' + (el.textContent || '').trim().slice(0, 20) + '"';
        return {
          outside: els.filter((el) => { const b = el.getBoundingClientRect(); return b.top < 0 || b.bottom > innerHeight || b.left < 0 || b.right > innerWidth; }).map(label),
          small: els.filter((el) => el.tagName === 'BUTTON').filter((el) => { const b = el.getBoundingClientRect(); return b.height < 56 || b.width < 56; }).map(label),
          scrollWidth: document.documentElement.scrollWidth,
        };
      })()`);
      expect(layout.outside, `PIN pad cut off at ${viewport.width}×${viewport.height}`).toEqual([]);
      expect(layout.small, `PIN pad keys under 56 px at ${viewport.width}×${viewport.height}`).toEqual([]);
      expect(layout.scrollWidth).toBeLessThanOrEqual(viewport.width);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await pad.getByRole('button', { name: /取消.*Cancel/ }).click();
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt after Cancel');
  });

  it('signs the staff member in with the right PIN and shows the staff banner, pushed', async () => {
    await tap(DEMO_STAFF_CARD);
    await seen(page, pinPad(), 'the PIN pad');
    const since = Date.now();
    await keyInPin(DEMO_STAFF_PIN);
    await pinPad().getByRole('button', { name: /Sign in/ }).click();

    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt, ready for the member\'s card');
    const bar = await seen(page, banner(), 'the staff banner');
    await expect(bar.innerText()).resolves.toMatch(/店员：\s*演示店长 Demo Manager/);
    await seen(page, bar.getByRole('button', { name: '退出 / Sign out' }), 'the sign-out button');
    // The banner came with the pushed session: the page asked for neither the staff session nor the state.
    expect(h!.requestsTo('/api/staff', since)).toEqual([]);
    expect(h!.requestsTo('/api/state', since)).toEqual([]);
  });

  it('offers the staff actions for the member on the reader, no cash on an unattended kiosk, and tops up by bank card to the receipt', async () => {
    await tap(DEMO_CARDS.gold);
    await seen(page, page.getByRole('region', { name: 'Your membership' }).getByRole('heading', { name: 'Zhang Min' }), 'the member');
    const acts = await seen(page, page.getByRole('region', { name: 'Staff actions' }), 'the staff actions');
    await seen(page, acts.getByRole('button', { name: /冻结此卡.*Freeze this card/ }), 'freeze, which a store manager may do');
    // No staff card number to type any more: the kiosk uses its signed-in staff session.
    await expect(page.getByPlaceholder('staff card number').count()).resolves.toBe(0);
    // Unattended (the test kiosk's mode): cash is offered neither as a tender nor as a way to pay.
    const tender = acts.getByLabel(/Tender/);
    await expect(tender.locator('option').allInnerTexts()).resolves.toEqual(['银行卡 Bank card', '移动支付 Mobile']);
    await expect(page.getByRole('region', { name: 'Buy' }).getByRole('button', { name: 'Cash' }).count()).resolves.toBe(0);

    await acts.getByLabel(/Amount/).fill('50.00');
    await tender.selectOption('bank_card');
    await acts.getByRole('button', { name: /充值.*Top up/ }).click();

    const result = await seen(page, page.getByRole('region', { name: 'Result' }), 'the result');
    await seen(page, result.getByRole('heading', { name: 'Top-up complete' }), '"Top-up complete"');
    await seen(page, result.getByText('Added to stored value'), 'what was added');
    await seen(page, result.getByText('¥50.00', { exact: true }), '¥50.00 added');
    await seen(page, result.getByText('¥1,050.00', { exact: true }), 'stored value now ¥1,050.00');
    await result.getByText('Show receipt').click();
    const receipt = await seen(page, result.locator('pre.receipt'), 'the receipt');
    await expect(receipt.innerText()).resolves.toMatch(/50\.00/);

    // The hub applied it, and its audit log names the staff member who signed in on this kiosk.
    const view = await h!.hub.hub.store.memberViewById(GOLD_MEMBER_ID, 5);
    expect(view?.balances).toMatchObject({ storedValueCents: 105_000 });
    const [audited] = await h!.hub.hub.store.identity.auditEntries({ limit: 1, action: 'tx.top_up' });
    expect(audited).toMatchObject({ actorKind: 'staff', surface: 'kiosk:kiosk-staff', target: GOLD_MEMBER_ID, outcome: 'applied' });
    await result.getByRole('button', { name: /Done/ }).click();
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt after Done');
  });

  it('signs out from the banner: the banner and the staff actions go', async () => {
    await banner().getByRole('button', { name: '退出 / Sign out' }).click();
    await page.waitForFunction('document.getElementById("staff-bar").hidden === true', undefined, { timeout: 8000 });
    expect(await (await fetch(`${h!.apiUrl}/staff`)).json()).toEqual({ staff: null });
    await tap(DEMO_CARDS.gold);
    await seen(page, page.getByRole('region', { name: 'Buy' }), 'the member screen');
    await expect(page.getByRole('region', { name: 'Staff actions' }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: /Done/ }).click();
  });
});
