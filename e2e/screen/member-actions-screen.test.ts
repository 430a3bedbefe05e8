/**
 * Every member journey on the kiosk screen, in a real browser against a real hub (demo data) and a real kiosk:
 * registering a fresh card with a Chinese name typed in pinyin, a referrer and the consent step; a phone number
 * already taken; redeeming a gift; paying part of a bill with points; a paid upgrade greyed out until affordable;
 * the full history, paged; setting the member PIN and reporting a card lost by phone and PIN from the idle
 * screen; reporting the card on the reader lost; and what is left when the hub is gone. Taps come through POST
 * /api/sim/tap (the simulated reader is the only "hand"); everything else is clicks on what a shopper sees. After
 * each action the hub's ledger is checked, so the screen cannot claim what did not happen. Each journey's screens
 * are checked at every kiosk size in zh-CN and at one in English and saved to docs/screenshots/ (a sheet, which
 * covers the language buttons, is opened again in English to be checked).
 *
 * One scenario in named steps sharing a hub, kiosk and browser (the last step stops the hub).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { submitHqTransaction } from '../../hub/hq/hq-transactions.ts';
import { checkEverySize } from './support/check-screen.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { backToIdle, byTest, dataTestsOf, DEMO_STORE_NAME, keyIn, publishShop, useLocale } from './support/screen-steps.ts';
import type { ScreenLocale } from './support/screen-words.ts';
import { seen } from './support/seen.ts';

const NEW_CARD = '04AB00000001';
const SECOND_NEW_CARD = '04AB00000002';
const STANDARD_MEMBER_ID = 'M0001';
const SILVER_MEMBER_ID = 'M0002';
const GOLD_MEMBER_ID = 'M0003';
const DIAMOND_MEMBER_ID = 'M0004';
/** Data, not the screen's words: the demo members', the store's and the gifts' names (HQ names gifts in one language). */
const DATA = ['Zhang Min', 'Wang Fang', 'Li Wei', 'Chen Jing', 'Bai Lu', '白露', DEMO_STORE_NAME, 'Coffee mug', 'Tote bag'];

describe('member journeys on the kiosk screen in a real browser', () => {
  let h: ScreenHarness | null = null;
  let page: Page;
  const tap = (uid: string) => h!.tap(uid);
  const hub = () => h!.hub.hub.store;
  const checkAll = (journey: string, required: readonly string[], only?: ScreenLocale, data: readonly string[] = []) =>
    checkEverySize(page, journey, required, [...DATA, ...data], (faults) => expect.soft(faults).toEqual([]), only);

  async function done(): Promise<void> {
    await byTest(page, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt after Done');
  }

  /** Types one Chinese character on the name keyboard: its pinyin, then the character among the candidates. */
  async function typeHanzi(pinyin: string, char: string): Promise<void> {
    const keyboard = byTest(page, 'name-keyboard');
    for (const letter of pinyin) await keyboard.locator(`[data-skbtn="${letter}"]`).click();
    await seen(page, byTest(keyboard, 'pinyin').getByText(pinyin, { exact: true }), `the pinyin "${pinyin}" being composed`);
    const candidate = keyboard.locator('[data-test^="candidate-"]').getByText(char, { exact: true });
    for (let pages = 0; (await candidate.count()) === 0; pages += 1) {
      if (pages > 20 || (await byTest(keyboard, 'candidates-next').isDisabled())) throw new Error(`"${char}" is not among the candidates for "${pinyin}"`);
      await byTest(keyboard, 'candidates-next').click();
    }
    await candidate.click();
  }

  /**
   * A confirmation sheet checked at every size: in Chinese while open, then (it covers the language buttons)
   * cancelled, opened again in English and checked, cancelled, and opened again in Chinese for the test to go on.
   */
  async function checkSheetEverySize(journey: string, open: () => Promise<void>): Promise<Locator> {
    const required = ['[data-test="confirm-yes"]', '[data-test="confirm-no"]'];
    await checkAll(journey, required, 'zh-CN');
    await byTest(page, 'confirm-no').click();
    await useLocale(page, 'en');
    await open();
    await seen(page, byTest(page, 'confirm-sheet'), 'the confirmation in English');
    await checkAll(journey, required, 'en');
    await byTest(page, 'confirm-no').click();
    await useLocale(page, 'zh-CN');
    await open();
    return seen(page, byTest(page, 'confirm-sheet'), 'the confirmation again');
  }

  beforeAll(async () => {
    h = await startScreenHarness({ deviceId: 'kiosk-actions', prepareHub: publishShop, tuning: { session: { memberMs: 300_000 } } });
    page = h.page;
    await seen(page, byTest(page, 'link').getByText('在线', { exact: true }), 'the kiosk online');
  });

  afterAll(async () => {
    const problems = [...(h?.problems ?? [])];
    await h?.dispose();
    expect(problems).toEqual([]);
  });

  it('registers a fresh card: a Chinese name in pinyin, phone, referrer, consent; welcomes the member and shows them', async () => {
    await tap(NEW_CARD);
    await (await seen(page, byTest(page, 'card-error').locator('[data-test="register"]'), 'the offer to register')).click();
    const form = await seen(page, page.locator('[data-test="register-page"][data-step="name"]'), 'the registration form, at the name');
    await typeHanzi('bai', '白');
    await typeHanzi('lu', '露');
    await seen(page, byTest(form, 'name-field').getByText('白露', { exact: true }), 'the name typed: 白露');
    // The keyboard mid-word (pinyin and its candidates on show) is the tallest the name step gets.
    for (const letter of 'xiao') await byTest(form, 'name-keyboard').locator(`[data-skbtn="${letter}"]`).click();
    // What the person types is data, in any language: the pinyin and its candidate characters (the most a page shows).
    const candidates = await form.locator('[data-test^="candidate-"]').allInnerTexts();
    expect(candidates.length).toBeGreaterThan(0);
    await checkAll('register-name', ['[data-test="register-next"]', '[data-test="candidate-0"]', '[data-test="back"]'], undefined, ['xiao', ...candidates]);
    for (let i = 0; i < 4; i += 1) await byTest(form, 'kb-bksp').click();
    await byTest(form, 'register-next').click();

    const phone = await seen(page, page.locator('[data-test="register-page"][data-step="phone"]'), 'the phone step');
    await keyIn(phone, '13900000011');
    await expect(byTest(phone, 'register-phone').getAttribute('data-value')).resolves.toBe('13900000011');
    await checkAll('register-phone', ['[data-test="register-next"]', '[data-test="register-phone"]', '[data-test="back"]']);
    await byTest(phone, 'register-next').click();

    const referrer = await seen(page, page.locator('[data-test="register-page"][data-step="referrer"]'), 'the referrer step');
    await keyIn(referrer, '138001380039');
    // A mistyped digit, taken back with the delete key.
    await referrer.locator('[data-key="back"]').click();
    await expect(byTest(referrer, 'register-referrer').getAttribute('data-value')).resolves.toBe('13800138003');
    await byTest(referrer, 'register-next').click();

    const consent = await seen(page, page.locator('[data-test="register-page"][data-step="consent"]'), 'the consent step');
    await seen(page, byTest(consent, 'consent-notice').getByText(/保存您的姓名、手机号、卡号/), 'what is kept, in words');
    await seen(page, byTest(consent, 'register-summary').getByText(/^白露 · .*0011 · 推荐人 .*8003$/), 'who registers, phones masked');
    // Nothing to send before the terms are agreed to; marketing is a separate choice, left off.
    await expect(byTest(consent, 'register-submit').isDisabled()).resolves.toBe(true);
    await byTest(consent, 'consent-terms').click();
    await expect(byTest(consent, 'consent-terms').getAttribute('aria-checked')).resolves.toBe('true');
    await expect(byTest(consent, 'consent-marketing').getAttribute('aria-checked')).resolves.toBe('false');
    await checkAll('register-consent', ['[data-test="register-submit"]', '[data-test="consent-terms"]', '[data-test="consent-marketing"]', '[data-test="back"]']);
    await byTest(consent, 'register-submit').click();

    const welcome = await seen(page, byTest(page, 'welcome'), 'the welcome');
    await seen(page, byTest(welcome, 'welcome-title').getByText('欢迎您，白露！', { exact: true }), '"欢迎您，白露！"');
    // The welcome covers the language buttons and shows once: checked in Chinese.
    await checkAll('welcome', ['[data-test="welcome-ok"]'], 'zh-CN');
    await byTest(welcome, 'welcome-ok').click();
    await seen(page, byTest(page, 'member-name').getByText('白露', { exact: true }), 'the new member on screen without a second tap');
    await seen(page, byTest(page, 'member-tier').getByText('普通会员', { exact: true }), 'the entry tier');

    const view = await hub().memberViewByCard(NEW_CARD);
    expect(view).toMatchObject({ name: '白露', tier: 'standard', phoneMasked: expect.stringMatching(/0011$/) });
    // The referrer keyed in is the gold demo member, and the consents were recorded with the registration.
    const db = new Database(join(h!.hub.dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT referrer_id FROM members WHERE member_id = ?').get(view!.memberId)).toEqual({ referrer_id: GOLD_MEMBER_ID });
      const consents = db.prepare('SELECT purpose, granted FROM member_consents WHERE member_id = ? ORDER BY purpose').all(view!.memberId);
      expect(consents).toEqual([
        { purpose: 'marketing_sms', granted: 0 },
        { purpose: 'membership', granted: 1 },
      ]);
    } finally {
      db.close();
    }
    await done();
  });

  it('keeps the form with the hub’s refusal when the phone is taken, at the phone step, the name kept', async () => {
    await tap(SECOND_NEW_CARD);
    await (await seen(page, byTest(page, 'card-error').locator('[data-test="register"]'), 'the offer to register')).click();
    const form = await seen(page, page.locator('[data-test="register-page"][data-step="name"]'), 'the registration form');
    // A name in letters: the keyboard's ABC key, capitals at each word's start.
    await byTest(form, 'kb-lang').click();
    for (const key of ['B', 'a', 'i', '{space}', 'L', 'u']) await byTest(form, 'name-keyboard').locator(`[data-skbtn="${key}"]`).click();
    await seen(page, byTest(form, 'name-field').getByText('Bai Lu', { exact: true }), 'the name typed: Bai Lu');
    await byTest(form, 'register-next').click();
    await keyIn(byTest(page, 'register-page'), '13900000011');
    await byTest(page, 'register-next').click();
    await (await seen(page, byTest(page, 'register-skip'), 'the way to skip the referrer')).click();
    await byTest(page, 'consent-terms').click();
    await byTest(page, 'register-submit').click();

    const phone = await seen(page, page.locator('[data-test="register-page"][data-step="phone"]'), 'back at the phone step');
    const refusal = await seen(page, byTest(phone, 'refusal').and(page.locator('[data-code="MEMBER_PHONE_TAKEN"]')), 'why the registration was refused');
    await seen(page, refusal.getByText('此手机号已注册'), 'the refusal in words');
    await expect(byTest(phone, 'register-phone').getAttribute('data-value')).resolves.toBe('13900000011');
    // What was typed stays, to correct the number.
    await byTest(phone, 'back').click();
    await seen(page, byTest(page, 'name-field').getByText('Bai Lu', { exact: true }), 'the name kept');
    // The person stays where they went: a touch (which extends the session, at most every 5 s, and has the session
    // pushed again) must not bring the refusal back and throw them to the phone step.
    await page.waitForTimeout(5_500);
    await byTest(page, 'name-field').click();
    await page.waitForTimeout(1_000);
    await expect(page.locator('[data-test="register-page"]').getAttribute('data-step')).resolves.toBe('name');
    await byTest(page, 'back').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt after cancelling');
    expect(h!.requestsTo('/api/session')).toEqual([]);
  });

  it('redeems the mug for 500 of the gold member’s 1,200 points after a confirmation that says what is left and where to collect it', async () => {
    await tap(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'tile-gifts').getByText('2 件可兑换'), 'the gifts tile saying two are affordable');
    await byTest(page, 'tile-gifts').click();
    await seen(page, byTest(page, 'gifts-points').getByText('您有 1,200 积分', { exact: true }), 'the points to spend');
    await seen(page, byTest(page, 'gift-GIFT-MUG'), 'the mug');
    await checkAll('gifts', ['[data-test="gift-GIFT-MUG"]', '[data-test="back"]', '[data-test="gifts-points"]']);
    const openMug = () => byTest(page, 'gift-GIFT-MUG').click();
    await openMug();
    const confirm = await checkSheetEverySize('gifts-confirm', openMug);
    await seen(page, confirm.getByText('兑换“Coffee mug”？', { exact: true }), '"兑换“Coffee mug”？"');
    await seen(page, confirm.getByText(`将使用 500 积分，兑换后剩余 700 积分。请凭小票到${DEMO_STORE_NAME}服务台领取礼品。`, { exact: true }), 'what is used, what is left, where to collect it');
    expect((await hub().member(GOLD_MEMBER_ID))?.points, 'nothing spent before confirming').toBe(1_200);
    await byTest(confirm, 'confirm-yes').click();

    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('兑换成功，请到服务台领取礼品', { exact: true }), 'the gift redeemed');
    await seen(page, byTest(result, 'result-points').getByText('700', { exact: true }), '700 points left');
    expect((await hub().member(GOLD_MEMBER_ID))?.points).toBe(700);
    expect((await hub().listGifts()).find((g) => g.sku === 'GIFT-MUG')?.stock).toBe(49);
    await done();
  });

  it('pays part of a purchase with all the points the terms allow and the rest from stored value', async () => {
    // The silver demo member: ¥500.00 stored value, 360 points (¥300 at ×1.2); 100 points = ¥1.
    await tap(DEMO_CARDS.silver);
    await (await seen(page, byTest(page, 'tile-pay'), 'the pay tile')).click();
    await byTest(page, 'item-SANDWICH').click();
    const usePoints = await seen(page, byTest(page, 'use-points').getByText('用 360 积分抵 ¥3.60'), 'what the points pay');
    await usePoints.click();
    await expect(byTest(page, 'use-points').getAttribute('aria-pressed')).resolves.toBe('true');
    await (await seen(page, byTest(page, 'pay').getByText('支付 ¥8.40 + 360 积分', { exact: true }), 'the pay button with the split')).click();

    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('支付成功', { exact: true }), '"支付成功"');
    const facts = await byTest(result, 'result-facts').innerText();
    expect(facts).toMatch(/支付\s+−¥8\.40/);
    expect(facts).toMatch(/使用积分\s+360/);
    // ¥12.00 = 360 points (¥3.60) + ¥8.40 stored value; only the ¥8.40 earns: 8.4 × 1.2 = 10 points (floor).
    await seen(page, byTest(result, 'result-stored-value').getByText('¥491.60', { exact: true }), 'stored value now ¥491.60');
    await seen(page, byTest(result, 'result-points').getByText('10', { exact: true }), 'points now 10');
    expect(await hub().member(SILVER_MEMBER_ID)).toMatchObject({ storedValueCents: 49_160, points: 10 });
    await done();
  });

  it('offers a paid upgrade greyed out until affordable, saying what is missing, then upgrades gold to diamond for 1,000 points', async () => {
    await hub().saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, paidUpgrades: [{ from: 'gold', to: 'diamond', points: 1000 }] } });
    await tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-upgrade'), 'the upgrade tile')).click();
    const tooDear = await seen(page, byTest(page, 'upgrade-diamond'), 'the upgrade offer');
    await expect(tooDear.isDisabled()).resolves.toBe(true);
    await seen(page, byTest(page, 'upgrade-missing-diamond').getByText('还差 300 积分', { exact: true }), 'how many points are missing for the upgrade');
    await checkAll('upgrade', ['[data-test="upgrade-diamond"]', '[data-test="back"]', '[data-test="upgrade-tier"]']);
    await byTest(page, 'back').click();
    await byTest(page, 'tile-gifts').click();
    await seen(page, byTest(page, 'gift-missing-GIFT-BAG').getByText('还差 500 积分', { exact: true }), 'how many points are missing for the tote bag');
    await expect(byTest(page, 'gift-GIFT-BAG').isDisabled()).resolves.toBe(true);
    await backToIdle(page, h!.apiUrl);

    // An HQ cash purchase of ¥400.00 earns the gold member 600 points (×1.5): 1,300 now.
    const earned = await submitHqTransaction(hub(), { kind: 'purchase', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'TV', category: 'general', qty: 1, unitPriceCents: 40_000 }], payments: [{ method: 'cash', amountCents: 40_000 }] });
    expect(earned.status).toBe('applied');
    expect((await hub().member(GOLD_MEMBER_ID))?.points).toBe(1_300);

    await tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-upgrade'), 'the upgrade tile')).click();
    const offer = await seen(page, byTest(page, 'upgrade-diamond').getByText('用 1,000 积分升级为钻石会员'), 'the upgrade, affordable now');
    await expect(byTest(page, 'upgrade-diamond').isDisabled()).resolves.toBe(false);
    await offer.click();
    const confirm = await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation');
    await seen(page, confirm.getByText('升级为钻石会员？', { exact: true }), '"升级为钻石会员？"');
    await seen(page, confirm.getByText(/将使用 1,000 积分，剩余 300 积分/), 'the points used and left');
    await byTest(confirm, 'confirm-yes').click();
    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('升级成功，您现在是钻石会员', { exact: true }), 'the new tier');
    await byTest(result, 'back-to-member').click();
    await seen(page, byTest(page, 'member-tier').getByText('钻石会员', { exact: true }), 'the tier badge updated');
    expect(await hub().member(GOLD_MEMBER_ID)).toMatchObject({ tier: 'diamond', points: 300 });
    await done();
  });

  it('shows the whole history, a page at a time, kinds in words', async () => {
    // Twelve purchases at HQ give the diamond member more history than one page holds.
    for (let i = 0; i < 12; i += 1) {
      const bought = await submitHqTransaction(hub(), { kind: 'purchase', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.diamond, lines: [{ lineNo: 1, sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 500 + i }], payments: [{ method: 'cash', amountCents: 500 + i }] });
      expect(bought.status).toBe('applied');
    }
    const all = (await hub().memberViewById(DIAMOND_MEMBER_ID, 100))!.history;
    await tap(DEMO_CARDS.diamond);
    await (await seen(page, byTest(page, 'tile-history'), 'the history tile')).click();
    const rows = await seen(page, byTest(page, 'history-rows'), 'the history');
    const firstPage = (await dataTestsOf(rows.locator('[data-test^="history-row-"]'))).map((name) => name.replace('history-row-', ''));
    // Newest first, as the hub has them; a page, not all of them.
    expect(firstPage.length).toBeGreaterThan(0);
    expect(firstPage.length).toBeLessThan(all.length);
    expect(firstPage).toEqual(all.slice(0, firstPage.length).map((e) => e.txId));
    await seen(page, rows.getByText('消费', { exact: true }), 'a purchase, in words');
    await checkAll('history', ['[data-test="history-next"]', '[data-test="back"]', '[data-test="history-rows"]']);
    await byTest(page, 'history-next').click();
    await seen(page, byTest(page, `history-row-${all[firstPage.length]!.txId}`), 'the next page: the next-older entry');
    await expect(byTest(page, `history-row-${firstPage[0]!}`).count()).resolves.toBe(0);
    // The oldest entries are the opening top-up and purchase: reached page by page.
    for (let pages = 0; (await byTest(page, `history-row-${all.at(-1)!.txId}`).count()) === 0; pages += 1) {
      expect(pages, 'pages to the oldest entry').toBeLessThan(10);
      await byTest(page, 'history-next').click();
    }
    await seen(page, byTest(page, `history-row-${all.at(-1)!.txId}`).getByText('充值'), 'the opening top-up, in words');
    await backToIdle(page, h!.apiUrl);
  });

  it('sets a member PIN (typed twice), then reports the card lost from the idle screen with the phone and that PIN', async () => {
    await tap(DEMO_CARDS.standard);
    await (await seen(page, byTest(page, 'tile-pin'), 'the PIN tile')).click();
    const pinPage = await seen(page, byTest(page, 'pin-page'), 'the PIN page');
    await keyIn(pinPage, '2580');
    await checkAll('member-pin', ['[data-test="pin-next"]', '[data-test="back"]']);
    await byTest(pinPage, 'pin-next').click();
    await seen(page, page.locator('[data-test="pin-stage"][data-stage="again"]'), 'asked to type it again');
    await keyIn(pinPage, '2580');
    await byTest(pinPage, 'pin-next').click();
    await seen(page, byTest(page, 'pin-done'), 'the PIN set');
    await backToIdle(page, h!.apiUrl);

    // The card itself is gone: from the idle screen, with the phone number and the member PIN.
    await byTest(page, 'idle-lost-card').click();
    const lost = await seen(page, byTest(page, 'lost-page'), 'the lost-card page');
    await keyIn(lost, '13800138001');
    await expect(byTest(lost, 'lost-phone').getAttribute('data-value')).resolves.toBe('13800138001');
    await checkAll('lost-card-phone', ['[data-test="lost-next"]', '[data-test="back"]', '[data-test="lost-phone"]']);
    await byTest(lost, 'lost-next').click();
    await seen(page, byTest(lost, 'lost-phone-masked').getByText(/^手机号 \*+8001$/), 'whose card, the phone masked');
    await keyIn(lost, '2580');
    await byTest(lost, 'lost-report').click();
    const confirm = await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation');
    await seen(page, confirm.getByText(/将立即停用/), 'what will happen');
    await byTest(confirm, 'confirm-yes').click();
    const result = await seen(page, byTest(lost, 'lost-result'), 'the outcome');
    await seen(page, byTest(result, 'lost-title').getByText('已挂失，此卡已停用', { exact: true }), '"已挂失，此卡已停用"');
    expect((await hub().card(DEMO_CARDS.standard))?.status).toBe('lost');
    expect((await hub().member(STANDARD_MEMBER_ID))?.storedValueCents).toBeGreaterThan(0);
    await byTest(lost, 'lost-finish').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');
  });

  it('reports the card on the reader lost after a confirmation, and the next tap says so', async () => {
    await tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-loss'), 'the loss tile')).click();
    await seen(page, byTest(page, 'loss-page').getByText(/余额和积分会保留|会保留/), 'that the balance is kept');
    await checkAll('loss', ['[data-test="loss-report"]', '[data-test="back"]']);
    await byTest(page, 'loss-report').click();
    const confirm = await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation');
    await seen(page, confirm.getByText('确认挂失？', { exact: true }), '"确认挂失？"');
    await byTest(confirm, 'confirm-yes').click();
    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('已挂失，此卡已停用', { exact: true }), '"已挂失，此卡已停用"');
    expect((await hub().card(DEMO_CARDS.gold))?.status).toBe('lost');
    await byTest(result, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');

    await tap(DEMO_CARDS.gold);
    const error = await seen(page, byTest(page, 'card-error'), 'the card refused');
    await seen(page, byTest(error, 'error-title').getByText('此卡已挂失', { exact: true }), '"此卡已挂失"');
    await seen(page, error.getByText('代码：CARD_LOST', { exact: true }), 'the code CARD_LOST');
    await byTest(error, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');
  });

  it('says which pages need the hub once it is gone, offers no paying with points, and still sells', async () => {
    h!.stopHub();
    await seen(page, byTest(page, 'link').getByText('离线', { exact: true }), 'the kiosk offline');
    await tap(DEMO_CARDS.silver);
    await seen(page, byTest(page, 'offline-balance'), 'the cached member, marked offline');
    await seen(page, byTest(page, 'tile-gifts').getByText('需要联网'), 'the gifts tile saying it needs the hub');
    await byTest(page, 'tile-gifts').click();
    const blocked = await seen(page, page.locator('[data-test="offer-blocked"][data-reason="offline"]'), 'why gifts cannot be redeemed now');
    await seen(page, blocked.getByText(/连不上会员系统/), 'the reason in words');
    await expect(page.locator('[data-test^="gift-GIFT-"]').count()).resolves.toBe(0);
    await checkAll('gifts-offline', ['[data-test="back"]', '[data-test="offer-blocked"]']);
    await byTest(page, 'back').click();

    await byTest(page, 'tile-pay').click();
    await byTest(page, 'item-COFFEE').click();
    await seen(page, page.getByText('暂时不能使用积分抵扣。', { exact: true }), 'why points cannot pay now');
    await expect(byTest(page, 'use-points').count()).resolves.toBe(0);
    await seen(page, byTest(page, 'pay').getByText('支付 ¥3.50', { exact: true }), 'buying still offered');
  });
});
