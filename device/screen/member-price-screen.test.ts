/**
 * The screen charges what the hub's rules say the basket costs this member: with a gold member price on coffee
 * the Pay button shows the member price, the saving is spelled out, and the hub applies the payment (a shelf
 * price would have been refused as PAYMENT_MISMATCH).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { createDevice, type Device } from '../main.ts';
import { assertChromiumInstalled, launchChromium, type LaunchedBrowser } from './support/chromium.ts';
import { seen } from './support/seen.ts';

/** Coffee is ¥3.50 on the shelf and ¥2.80 for gold members. */
const MEMBER_PRICES: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 2,
  rules: [{ kind: 'member_price', id: 'gold-coffee', label: 'gold coffee price', tiers: ['gold'], prices: { COFFEE: 280 } }, ...DEFAULT_RULES_BUNDLE.rules],
};

describe('member prices on the kiosk screen (real hub, real kiosk, headless Chromium)', () => {
  let testHub: TestHub | null = null;
  let device: Device | null = null;
  let browser: LaunchedBrowser | null = null;
  let dataDir = '';
  let page: Page;
  let apiUrl = '';

  beforeAll(async () => {
    assertChromiumInstalled();
    dataDir = mkdtempSync(join(tmpdir(), 'mk-price-'));
    testHub = await startTestHub();
    testHub.hub.store.saveRulesBundle(MEMBER_PRICES);
    device = createDevice({ deviceId: 'kiosk-price', storeId: DEMO_STORE_ID, hubUrl: testHub.brokerUrl, dataDir: join(dataDir, 'kiosk'), httpPort: 0, logLevel: 'silent' });
    let screenUrl: string;
    ({ screenUrl, apiUrl } = await device.start());
    browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
    page = await browser.browser.newPage();
    await page.goto(screenUrl);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await device?.stop();
    const audit = testHub?.hub.store.audit();
    await testHub?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    expect(audit).toEqual([]);
  });

  it('charges the member price the hub quotes and the hub applies it', async () => {
    const res = await fetch(`${apiUrl}/sim/tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: DEMO_CARDS.gold }) });
    expect(res.status).toBe(200);
    const buy = await seen(page, page.getByRole('region', { name: 'Buy' }), 'the purchase panel');
    await buy.getByRole('button', { name: /Coffee/ }).click();
    await buy.getByRole('button', { name: 'One more' }).click();
    // 2 × ¥2.80 = ¥5.60 instead of 2 × ¥3.50 = ¥7.00
    await seen(page, buy.getByText('you save ¥1.40'), 'the saving');
    const before = testHub!.hub.store.memberViewByCard(DEMO_CARDS.gold)!.balances;
    await (await seen(page, buy.getByRole('button', { name: 'Pay ¥5.60' }), 'the member-price total')).click();
    const result = await seen(page, page.getByRole('region', { name: 'Result' }), 'the result panel');
    await seen(page, result.getByRole('heading', { name: 'Payment complete' }), '"Payment complete"');
    const after = testHub!.hub.store.memberViewByCard(DEMO_CARDS.gold)!.balances;
    expect(after.storedValueCents).toBe(before.storedValueCents - 560);
    // 5.60 yuan × 1.5 (gold) = 8.4 → 8 points
    expect(after.points).toBe(before.points + 8);
  });
});
