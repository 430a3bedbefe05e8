/**
 * Every member action on the kiosk screen, in a real browser against a real hub (demo data) and a real kiosk:
 * registering a fresh card with a referrer, redeeming a gift, paying part of a bill with points, buying a tier
 * upgrade, reporting the card lost, and what is left when the hub is gone. Taps come through POST /api/sim/tap
 * (the simulated reader is the only "hand"); everything else is clicks on visible text, as a shopper would.
 * After each action the hub's ledger is checked, so the screen cannot claim what did not happen.
 *
 * One scenario in named steps sharing a hub, kiosk and browser (the last step stops the hub).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { submitHqTransaction } from '../../hub/hq/hq-transactions.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { seen } from './support/seen.ts';

const NEW_CARD = '04AB00000001';
const GOLD_MEMBER_ID = 'M0003';
const SILVER_MEMBER_ID = 'M0002';

describe('member actions on the kiosk screen in a real browser', () => {
  let h: ScreenHarness | null = null;
  let page: Page;
  const tap = (uid: string) => h!.tap(uid);
  const hub = () => h!.hub.hub.store;

  async function keyIn(digits: string): Promise<void> {
    const keypad = page.getByRole('group', { name: 'Number keypad' });
    for (const digit of digits) await keypad.getByRole('button', { name: digit, exact: true }).click();
  }

  async function logOut(): Promise<void> {
    await page.getByRole('button', { name: /Done/ }).click();
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt after Done');
  }

  beforeAll(async () => {
    h = await startScreenHarness({ deviceId: 'kiosk-actions' });
    page = h.page;
    await seen(page, page.locator('#link').getByText('Online', { exact: true }), 'the kiosk online');
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('registers a fresh card with a referrer from the on-screen keypad, welcomes the member and shows them', async () => {
    await tap(NEW_CARD);
    await seen(page, page.getByRole('heading', { name: 'This card is not registered yet' }), '"This card is not registered yet"');
    await page.getByRole('button', { name: 'Register this card' }).click();
    await seen(page, page.getByRole('heading', { name: 'Register this card' }), 'the registration form');
    await page.getByLabel('Your name').fill('Bai Lu');
    await page.getByLabel('Mobile phone', { exact: true }).click();
    await keyIn('13900000011');
    await page.getByLabel("Referrer's mobile phone (optional)").click();
    await keyIn('138001380039');
    // A mistyped digit, taken back with the delete key.
    await page.getByRole('button', { name: 'Delete last digit' }).click();
    await expect(page.getByLabel("Referrer's mobile phone (optional)").inputValue()).resolves.toBe('13800138003');
    await page.getByRole('button', { name: 'Register', exact: true }).click();

    const welcome = await seen(page, page.getByRole('region', { name: 'Welcome' }), 'the welcome panel');
    await seen(page, welcome.getByRole('heading', { name: 'Welcome, Bai Lu!' }), '"Welcome, Bai Lu!"');
    const member = page.getByRole('region', { name: 'Your membership' });
    await seen(page, member.getByRole('heading', { name: 'Bai Lu' }), 'the new member on screen without a second tap');
    await seen(page, member.getByText('Standard member'), 'the entry tier');
    await seen(page, member.getByText('Live balance'), 'a live balance');

    const view = await hub().memberViewByCard(NEW_CARD);
    expect(view).toMatchObject({ name: 'Bai Lu', tier: 'standard', phoneMasked: expect.stringMatching(/0011$/) });
    // The referrer the shopper keyed in is the gold demo member, as the hub recorded it.
    const db = new Database(join(h!.hub.dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT referrer_id FROM members WHERE member_id = ?').get(view!.memberId)).toEqual({ referrer_id: GOLD_MEMBER_ID });
    } finally {
      db.close();
    }

    await welcome.getByRole('button', { name: 'Continue' }).click();
    await seen(page, page.getByRole('region', { name: 'Buy' }), 'the purchase panel after Continue');
    await logOut();
  });

  it('keeps the form on screen with the hub\'s refusal when the phone is taken, pushed like every result', async () => {
    await tap('04AB00000002');
    await (await seen(page, page.getByRole('button', { name: 'Register this card' }), 'the offer to register')).click();
    await seen(page, page.getByRole('heading', { name: 'Register this card' }), 'the registration form');
    await page.getByLabel('Your name').fill('Bai Lu');
    await page.getByLabel('Mobile phone', { exact: true }).click();
    await keyIn('13900000011');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await seen(page, page.getByText('This phone number is already registered'), 'why the registration was refused');
    await seen(page, page.getByText(/Code: MEMBER_PHONE_TAKEN/), 'the code MEMBER_PHONE_TAKEN');
    // The form and what was typed stay, to correct the number.
    await expect(page.getByLabel('Your name').inputValue()).resolves.toBe('Bai Lu');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt after Cancel');
    expect(h!.requestsTo('/api/session')).toEqual([]);
  });

  it('redeems the mug for 500 of the gold member\'s 1,200 points after a confirmation', async () => {
    await tap(DEMO_CARDS.gold);
    const rewards = await seen(page, page.getByRole('region', { name: 'Rewards' }), 'the rewards panel');
    await (await seen(page, rewards.getByRole('button', { name: /Coffee mug/ }), 'the mug, affordable')).click();
    const confirm = await seen(page, page.getByRole('region', { name: 'Confirm' }), 'a confirmation');
    await seen(page, confirm.getByRole('heading', { name: 'Redeem Coffee mug?' }), '"Redeem Coffee mug?"');
    await seen(page, confirm.getByText(/700 will be left/), 'the points that will be left');
    expect((await hub().member(GOLD_MEMBER_ID))?.points, 'nothing spent before confirming').toBe(1_200);
    await confirm.getByRole('button', { name: 'Yes, redeem for 500 points' }).click();

    const result = await seen(page, page.getByRole('region', { name: 'Result' }), 'the result');
    await seen(page, result.getByRole('heading', { name: 'Gift redeemed' }), '"Gift redeemed"');
    await seen(page, result.getByText('700', { exact: true }), '700 points left');
    expect((await hub().member(GOLD_MEMBER_ID))?.points).toBe(700);
    expect((await hub().listGifts()).find((g) => g.sku === 'GIFT-MUG')?.stock).toBe(49);
    await logOut();
  });

  it('pays part of a purchase with all the points the terms allow and the rest from stored value', async () => {
    // The silver demo member: ¥500.00 stored value, 360 points (¥300 at ×1.2); 100 points = ¥1.
    await tap(DEMO_CARDS.silver);
    const buy = await seen(page, page.getByRole('region', { name: 'Buy' }), 'the purchase panel');
    await buy.getByRole('button', { name: /Sandwich/ }).click();
    const usePoints = await seen(page, buy.getByRole('button', { name: /Use points/ }), 'the "Use points" option');
    await seen(page, usePoints.getByText('360 pts cover ¥3.60'), 'what the points pay');
    await usePoints.click();
    await expect(usePoints.getAttribute('aria-pressed')).resolves.toBe('true');
    await (await seen(page, buy.getByRole('button', { name: 'Pay ¥8.40 + 360 points' }), 'the pay button with the split')).click();

    const result = await seen(page, page.getByRole('region', { name: 'Result' }), 'the result');
    await seen(page, result.getByRole('heading', { name: 'Payment complete' }), '"Payment complete"');
    await seen(page, result.getByText('Points used'), 'the points used');
    await seen(page, result.getByText('¥8.40', { exact: true }), '¥8.40 paid from stored value');
    // ¥12.00 = 360 points (¥3.60) + ¥8.40 stored value; only the ¥8.40 earns: 8.4 × 1.2 = 10 points (floor).
    expect(await hub().member(SILVER_MEMBER_ID)).toMatchObject({ storedValueCents: 49_160, points: 10 });
    await logOut();
  });

  it('offers a paid upgrade greyed out until affordable, then upgrades gold to diamond for 1,000 points', async () => {
    await hub().saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, paidUpgrades: [{ from: 'gold', to: 'diamond', points: 1000 }] } });
    await tap(DEMO_CARDS.gold);
    const rewards = await seen(page, page.getByRole('region', { name: 'Rewards' }), 'the rewards panel');
    const tooDear = await seen(page, rewards.getByRole('button', { name: /Upgrade to Diamond for 1,000 points/ }), 'the upgrade offer');
    await expect(tooDear.isDisabled()).resolves.toBe(true);
    await seen(page, rewards.getByText('300 more points needed'), 'how many points are missing for the upgrade');
    await seen(page, rewards.getByText('500 more points needed'), 'how many points are missing for the tote bag');
    await expect(rewards.getByRole('button', { name: /Tote bag/ }).isDisabled()).resolves.toBe(true);
    await logOut();

    // An HQ cash purchase of ¥400.00 earns the gold member 600 points (×1.5): 1,300 now.
    const earned = await submitHqTransaction(hub(), { kind: 'purchase', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'TV', category: 'general', qty: 1, unitPriceCents: 40_000 }], payments: [{ method: 'cash', amountCents: 40_000 }] });
    expect(earned.status).toBe('applied');
    expect((await hub().member(GOLD_MEMBER_ID))?.points).toBe(1_300);

    await tap(DEMO_CARDS.gold);
    await (await seen(page, page.getByRole('button', { name: 'Upgrade to Diamond for 1,000 points', exact: true }), 'the upgrade, affordable now')).click();
    const confirm = await seen(page, page.getByRole('region', { name: 'Confirm' }), 'a confirmation');
    await seen(page, confirm.getByRole('heading', { name: 'Upgrade to Diamond?' }), '"Upgrade to Diamond?"');
    await confirm.getByRole('button', { name: 'Yes, upgrade for 1,000 points' }).click();
    const result = await seen(page, page.getByRole('region', { name: 'Result' }), 'the result');
    await seen(page, result.getByRole('heading', { name: 'You are now a Diamond member' }), 'the new tier');
    await seen(page, page.getByRole('region', { name: 'Your membership' }).getByText('Diamond member'), 'the tier badge updated');
    expect(await hub().member(GOLD_MEMBER_ID)).toMatchObject({ tier: 'diamond', points: 300 });
    await logOut();
  });

  it('reports the card lost after a confirmation, and the next tap says so', async () => {
    await tap(DEMO_CARDS.gold);
    await (await seen(page, page.getByRole('button', { name: 'Report my card lost' }), 'the loss link')).click();
    const confirm = await seen(page, page.getByRole('region', { name: 'Confirm' }), 'a confirmation');
    await seen(page, confirm.getByRole('heading', { name: 'Report this card lost?' }), '"Report this card lost?"');
    await confirm.getByRole('button', { name: 'Yes, report it lost' }).click();
    const result = await seen(page, page.getByRole('region', { name: 'Result' }), 'the result');
    await seen(page, result.getByRole('heading', { name: 'Card reported lost' }), '"Card reported lost"');
    expect((await hub().card(DEMO_CARDS.gold))?.status).toBe('lost');
    await logOut();

    await tap(DEMO_CARDS.gold);
    await seen(page, page.getByRole('heading', { name: 'This card is reported lost' }), '"This card is reported lost"');
    await seen(page, page.getByText(/Code: CARD_LOST/), 'the code CARD_LOST');
    await page.getByRole('button', { name: 'OK' }).click();
    await seen(page, page.getByRole('heading', { name: 'Tap your card' }), 'the idle prompt');
  });

  it('hides gifts, upgrades and paying with points once the hub is gone, saying why, and still sells', async () => {
    h!.stopHub();
    await tap(DEMO_CARDS.silver);
    const member = await seen(page, page.getByRole('region', { name: 'Your membership' }), 'the cached member');
    await seen(page, member.getByText(/Offline · balance as of/), 'the offline badge');
    const rewards = await seen(page, page.getByRole('region', { name: 'Rewards' }), 'the rewards panel');
    await seen(page, rewards.getByText(/not available right now: the kiosk cannot reach the membership system/), 'why rewards are hidden');
    await expect(rewards.getByRole('button').count()).resolves.toBe(0);
    const buy = page.getByRole('region', { name: 'Buy' });
    await expect(buy.getByRole('button', { name: /Use points/ }).count()).resolves.toBe(0);
    await seen(page, buy.getByRole('button', { name: 'Pay ¥3.50' }), 'buying still offered');
  });
});
