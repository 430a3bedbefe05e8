/**
 * Staff on the kiosk screen, in a real browser against a real hub (demo data) and a real kiosk: the clerk taps
 * their staff card, the screen shows a PIN pad (not an error), too few digits cannot be sent, a wrong PIN is
 * refused in plain words with the tries left, the whole pad fits every kiosk size, and the right PIN signs them
 * in — pushed, without the page asking — with a staff banner in the header. With a member's card on the reader
 * the staff actions are a tile of the member's home; a top-up (no cash on an unattended kiosk) ends on the result,
 * and the hub's ledger and audit log show it, made by that staff member. Signing out takes the banner and the
 * staff tile away. Taps come through POST /api/sim/tap; everything else is clicks on what the clerk sees.
 *
 * One scenario in named steps sharing a hub, kiosk and browser.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS, DEMO_STAFF_CARD, DEMO_STAFF_PIN } from '../../hub/demo/seed-demo-data.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { checkEverySize } from './support/check-screen.ts';
import { layoutFaults, measureLayout } from './support/screen-layout.ts';
import { KIOSK_SIZES } from './support/screen-shots.ts';
import { byTest, dataTestsOf, DEMO_STORE_NAME, keyIn, publishShop, useLocale } from './support/screen-steps.ts';
import type { ScreenLocale } from './support/screen-words.ts';
import { seen } from './support/seen.ts';

const GOLD_MEMBER_ID = 'M0003';
const STAFF_NAME = '演示店长 Demo Manager';
/** Data, not the screen's words: the staff member's, the member's and the store's names. */
const DATA = [STAFF_NAME, 'Zhang Min', DEMO_STORE_NAME];

describe('staff on the kiosk screen in a real browser', () => {
  let h: ScreenHarness | null = null;
  let page: Page;
  const tap = (uid: string) => h!.tap(uid);
  const pinPad = () => byTest(page, 'staff-pin');
  const dotsOn = () => byTest(pinPad(), 'pin-dots').locator('.dot.on').count();
  const checkAll = (journey: string, required: readonly string[], only?: ScreenLocale) => checkEverySize(page, journey, required, DATA, (faults) => expect.soft(faults).toEqual([]), only);
  const staffNow = async () => (await (await fetch(`${h!.apiUrl}/staff`)).json()) as { staff: { name: string; role: string } | null };

  beforeAll(async () => {
    // A self-service kiosk on the shop floor: unattended, no cash.
    h = await startScreenHarness({ deviceId: 'kiosk-staff', mode: 'unattended', prepareHub: publishShop });
    page = h.page;
    await seen(page, byTest(page, 'link').getByText('在线', { exact: true }), 'the kiosk online');
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('shows a PIN pad, not an error, for a staff card; a wrong PIN is refused in plain words with the tries left', async () => {
    await tap(DEMO_STAFF_CARD);
    const pad = await seen(page, pinPad(), 'the PIN pad');
    await seen(page, pad.getByRole('heading', { name: '店员登录' }), 'the PIN pad heading, in Chinese');
    await expect(page.getByText(/CARD_IS_STAFF/).count()).resolves.toBe(0);
    await expect(byTest(page, 'card-error').count()).resolves.toBe(0);
    const signIn = byTest(pad, 'pin-ok');
    // Fewer than four digits: nothing to send yet.
    await keyIn(pad, '111');
    await expect(signIn.isDisabled()).resolves.toBe(true);
    await keyIn(pad, '1');
    await expect(signIn.isDisabled()).resolves.toBe(false);
    // The PIN is never shown: four dots.
    await expect(pad.getByText('1111').count()).resolves.toBe(0);
    await expect(dotsOn()).resolves.toBe(4);
    await signIn.click();

    const refusal = await seen(page, byTest(pad, 'refusal').filter({ hasText: 'PIN 码错误' }), 'the wrong PIN refusal');
    await expect(refusal.getAttribute('data-code')).resolves.toBe('STAFF_PIN_WRONG');
    await expect(refusal.innerText()).resolves.toMatch(/PIN 码错误[\s\S]*代码：STAFF_PIN_WRONG/);
    await seen(page, byTest(pad, 'attempts-left').getByText('还可尝试 4 次', { exact: true }), 'the tries left');
    // Still on the pad, with the digits cleared for another try; nobody is signed in.
    await expect(dotsOn()).resolves.toBe(0);
    expect(await staffNow()).toEqual({ staff: null });

    // On every kiosk size the whole pad (keys, refusal, Cancel and Sign in) is on screen without scrolling, keys
    // at least 48 px — measured with the refusal on it, its tallest state.
    for (const size of KIOSK_SIZES) {
      await page.setViewportSize(size);
      expect(layoutFaults(await measureLayout(page, '[data-test="pin-ok"]'), `PIN pad at ${size.name}`)).toEqual([]);
    }
    await page.setViewportSize(KIOSK_SIZES[1]!);
    await byTest(pad, 'pin-cancel').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt after Cancel');
  });

  it('signs the staff member in with the right PIN, pushed: the screen is ready for the member’s card', async () => {
    await tap(DEMO_STAFF_CARD);
    const pad = await seen(page, pinPad(), 'the PIN pad');
    const since = Date.now();
    await keyIn(pad, DEMO_STAFF_PIN);
    await byTest(pad, 'pin-ok').click();

    await seen(page, byTest(page, 'idle-title').getByText('请刷会员卡', { exact: true }), 'the idle prompt, ready for the member’s card');
    expect(await staffNow()).toMatchObject({ staff: { name: '演示店长 Demo Manager', role: 'store_manager' } });
    // The sign-in came back pushed with the session: the page asked for neither the staff session nor the state.
    expect(h!.requestsTo('/api/staff', since)).toEqual([]);
    expect(h!.requestsTo('/api/state', since)).toEqual([]);
    expect(h!.requestsTo('/api/session', since)).toEqual([]);
  });

  it('shows who is signed in, in a banner on every screen, at every size', async () => {
    const banner = await seen(page, byTest(page, 'staff-banner'), 'the staff banner');
    await seen(page, byTest(banner, 'staff-name').getByText(STAFF_NAME, { exact: true }), 'the staff member’s name');
    await expect(banner.getAttribute('data-role')).resolves.toBe('store_manager');
    await seen(page, byTest(banner, 'staff-sign-out'), 'the way to sign out');
    await checkAll('staff-banner', ['[data-test="staff-sign-out"]', '[data-test="staff-name"]', '[data-test="idle-title"]']);
  });

  it('tops a member up by bank card from the staff tile — no cash on an unattended kiosk — to the result, applied and audited', async () => {
    await tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-staff'), 'the staff tile on the member’s home')).click();
    await seen(page, byTest(page, 'staff-page-member').getByText(/^Zhang Min · /), 'whom the staff actions are for');
    await checkAll('staff-page', ['[data-test="staff-action-top_up"]', '[data-test="back"]']);
    await byTest(page, 'staff-action-top_up').click();

    const topUp = await seen(page, byTest(page, 'staff-top-up'), 'the top-up page');
    // Unattended (the test kiosk's mode): bank card and mobile payment, never cash.
    await expect(dataTestsOf(topUp.locator('[data-test^="top-up-tender-"]'))).resolves.toEqual(['top-up-tender-bank_card', 'top-up-tender-mobile']);
    await keyIn(topUp, '50');
    await seen(page, byTest(topUp, 'top-up-amount').getByText('¥50'), 'the amount typed');
    await byTest(topUp, 'top-up-tender-bank_card').click();
    await expect(byTest(topUp, 'top-up-tender-bank_card').getAttribute('aria-pressed')).resolves.toBe('true');
    await seen(page, byTest(topUp, 'top-up-bonus').filter({ hasNotText: '正在计算' }), 'the bonus previewed');
    await checkAll('staff-top-up', ['[data-test="top-up-submit"]', '[data-test="top-up-bonus"]', '[data-test="back"]']);
    await (await seen(page, byTest(page, 'top-up-submit').getByText('充值 ¥50.00', { exact: true }), 'the top-up button with the amount')).click();
    const confirm = await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation');
    await seen(page, confirm.getByText(/为 Zhang Min 充值 ¥50\.00（银行卡）/), 'what will happen, in words');
    // The sheet covers the language buttons: checked in Chinese, then opened again in English, then confirmed in Chinese.
    await checkAll('staff-top-up-confirm', ['[data-test="confirm-yes"]', '[data-test="confirm-no"]'], 'zh-CN');
    await byTest(confirm, 'confirm-no').click();
    await useLocale(page, 'en');
    await byTest(page, 'top-up-submit').click();
    await seen(page, byTest(page, 'confirm-sheet').getByText(/Zhang Min/), 'the confirmation in English');
    await checkAll('staff-top-up-confirm', ['[data-test="confirm-yes"]', '[data-test="confirm-no"]'], 'en');
    await byTest(page, 'confirm-no').click();
    await useLocale(page, 'zh-CN');
    await byTest(page, 'top-up-submit').click();
    await byTest(await seen(page, byTest(page, 'confirm-sheet'), 'the confirmation again'), 'confirm-yes').click();

    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('充值成功', { exact: true }), '"充值成功"');
    await expect(byTest(result, 'result-facts').innerText()).resolves.toMatch(/存入\s+\+¥50\.00/);
    await seen(page, byTest(result, 'result-stored-value').getByText('¥1,050.00', { exact: true }), 'stored value now ¥1,050.00');

    // The hub applied it, and its audit log names the staff member who signed in on this kiosk.
    const view = await h!.hub.hub.store.memberViewById(GOLD_MEMBER_ID, 5);
    expect(view?.balances).toMatchObject({ storedValueCents: 105_000 });
    const [audited] = await h!.hub.hub.store.identity.auditEntries({ limit: 1, action: 'tx.top_up' });
    expect(audited).toMatchObject({ actorKind: 'staff', surface: 'kiosk:kiosk-staff', target: GOLD_MEMBER_ID, outcome: 'applied' });
    await byTest(result, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt after Done');
  });

  it('refunds a line of a purchase made on this kiosk: chosen from the member’s purchases, confirmed, applied by the hub', async () => {
    const before = (await h!.hub.hub.store.member(GOLD_MEMBER_ID))!;
    await tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-pay'), 'the pay tile')).click();
    await byTest(page, 'item-COFFEE').click();
    await (await seen(page, byTest(page, 'pay').getByText('支付 ¥3.50', { exact: true }), 'the pay button')).click();
    await seen(page, byTest(page, 'result-title').getByText('支付成功', { exact: true }), 'the purchase done');
    const bought = ((await (await fetch(`${h!.apiUrl}/session`)).json()) as { session: { receipt: { txId: string } } }).session.receipt.txId;
    await byTest(page, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');

    await tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-staff'), 'the staff tile')).click();
    await byTest(page, 'staff-action-refund').click();
    const purchase = await seen(page, page.locator(`[data-test="refund-purchase-${bought}"][data-here="true"]`), 'the purchase made here, to choose');
    await checkAll('staff-refund', [`[data-test="refund-purchase-${bought}"]`, '[data-test="back"]']);
    await purchase.click();
    await (await seen(page, byTest(page, 'refund-line-1'), 'the coffee line')).click();
    await expect(byTest(page, 'refund-line-1').getAttribute('aria-checked')).resolves.toBe('true');
    await checkAll('staff-refund-lines', ['[data-test="refund-submit"]', '[data-test="refund-line-1"]', '[data-test="back"]']);
    await (await seen(page, byTest(page, 'refund-submit').getByText('退 1 项商品', { exact: true }), 'the refund button')).click();
    await byTest(await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation'), 'confirm-yes').click();
    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('退款完成', { exact: true }), '"退款完成"');
    // Back where the member was before the coffee: the ¥3.50 returned and its points taken back.
    expect(await h!.hub.hub.store.member(GOLD_MEMBER_ID)).toMatchObject({ storedValueCents: before.storedValueCents, points: before.points });
    await byTest(result, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');
  });

  it('fits every staff page at every size; freezes the card from the member’s screen and unfreezes it from the refusal', async () => {
    await tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-staff'), 'the staff tile')).click();
    // Each page's primary action: where a clerk finishes what they came to do.
    const pages: [action: string, page: string, primary: string][] = [
      ['replace', 'replace', 'replace-submit'],
      ['issue', 'issue', 'issue-submit'],
      ['pin', 'pin-reset', 'pin-reset-next'],
      ['return', 'return', 'return-submit'],
    ];
    for (const [action, journey, primary] of pages) {
      await (await seen(page, byTest(page, `staff-action-${action}`), `the ${action} action`)).click();
      await seen(page, byTest(page, primary), `the ${action} page`);
      await checkAll(`staff-${journey}`, [`[data-test="${primary}"]`, '[data-test="back"]']);
      await byTest(page, 'back').click();
      await seen(page, byTest(page, 'staff-page'), 'the staff actions again');
    }

    await byTest(page, 'staff-action-freeze').click();
    const freeze = await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation');
    await seen(page, freeze.getByText(/Zhang Min/), 'whose card, in the confirmation');
    await byTest(freeze, 'confirm-yes').click();
    const frozen = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(frozen, 'result-title').getByText('此卡已冻结', { exact: true }), '"此卡已冻结"');
    expect((await h!.hub.hub.store.card(DEMO_CARDS.gold))?.status).toBe('frozen');
    await byTest(frozen, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');

    // A frozen card shows no member; with a clerk signed in, the refusal offers the way to unfreeze it.
    await tap(DEMO_CARDS.gold);
    const error = await seen(page, page.locator('[data-test="card-error"][data-code="CARD_FROZEN"]'), 'the frozen card refused');
    await seen(page, byTest(error, 'error-title').getByText('此卡已冻结', { exact: true }), '"此卡已冻结"');
    await checkAll('staff-card-fix', ['[data-test="staff-fix-unfreeze"]', '[data-test="done"]']);
    await byTest(error, 'staff-fix-unfreeze').click();
    await byTest(await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation'), 'confirm-yes').click();
    await seen(page, byTest(page, 'staff-card-fix-done').getByText('已办理。请重新刷卡查看会员信息。', { exact: true }), 'done, and to tap again');
    expect((await h!.hub.hub.store.card(DEMO_CARDS.gold))?.status).toBe('active');
    await byTest(page, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');
    await tap(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'member-home'), 'the member again, the card working');
    await byTest(page, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');
  });

  it('signs out from the banner: the banner and the staff tile go', async () => {
    await byTest(page, 'staff-sign-out').click();
    await byTest(page, 'staff-banner').waitFor({ state: 'detached', timeout: 8_000 });
    expect(await staffNow()).toEqual({ staff: null });
    await tap(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'member-home'), 'the member’s home');
    await expect(byTest(page, 'tile-staff').count()).resolves.toBe(0);
    await byTest(page, 'done').click();
  });
});
