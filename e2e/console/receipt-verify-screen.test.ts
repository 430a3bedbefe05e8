/**
 * The console's Verify receipt page (小票验证) and the stores page's store profile in real Chromium against a real
 * hub (embedded broker, SQLite, demo data). A kiosk is enrolled through the real enrolment functions and its
 * purchase applied by the ledger; the QR text its receipt would carry is signed with that kiosk's own key. The demo
 * HQ admin pastes it (as a scanner types it) and sees it genuine with the ledger's record; a copy with one
 * character changed is refused as altered; then HQ gives the store an address on the stores page.
 *
 * Screenshots: docs/screenshots/console-receipt-verify-zh-CN.png, console-receipt-forged-zh-CN.png,
 * console-stores-profile-zh-CN.png (1440×900).
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { maskCardUid } from '../../core/privacy/mask.ts';
import { RECEIPT_QR_PREFIX, signReceiptQr } from '../../core/receipt/receipt-qr.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { parseLedgerTransaction } from '../../hub/ledger/ledger-parse.ts';
import { enrolForTest } from '../../hub/testing/enrol-for-test.ts';
import { seen } from '../screen/support/seen.ts';
import { field, SHOTS, signInUnlessSignedIn, startConsoleHarness, type ConsoleHarness } from './support/console-harness.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

describe('HQ console: verify a receipt, and a store’s profile, in Chromium', () => {
  let harness: ConsoleHarness;
  let genuine: string;
  let txId: string;

  beforeAll(async () => {
    harness = await startConsoleHarness({ tempPrefix: 'mk-console-receipts-e2e-', expectedConsoleErrors: /status of 40[0134]/ });
    const { hub, started } = harness;
    const kiosk = await enrolForTest({ hub, caSha256: started.caSha256 }, 'kiosk-receipt-page');
    txId = nextId();
    const createdAt = new Date().toISOString();
    const payload = {
      v: TX_FORMAT, id: txId, deviceId: kiosk.deviceId, epoch: 'E1', seq: 1, createdAt, storeId: DEMO_STORE_ID, bundleVersion: 0,
      kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'MILK', category: 'dairy', qty: 2, unitPriceCents: 1_290 }], payments: [{ method: 'stored_value', amountCents: 2_580 }],
    };
    const [result] = await hub.store.applyBatch([{ topicDeviceId: kiosk.deviceId, parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
    expect(result?.status).toBe('applied');
    genuine = signReceiptQr({ txId, deviceId: kiosk.deviceId, storeId: DEMO_STORE_ID, at: createdAt, totalCents: 2_580, cardMasked: maskCardUid(DEMO_CARDS.gold) }, createPrivateKey(kiosk.privateKeyPem));
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  const shot = async (page: Page, name: string) => {
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(350);
    await page.evaluate("document.querySelectorAll('.el-message').forEach((m) => m.remove())");
    await page.screenshot({ path: join(SHOTS, `${name}.png`), animations: 'disabled' });
  };
  const qrBox = (page: Page) => page.locator('textarea[data-test=receipt-qr], [data-test=receipt-qr] textarea').first();

  it('shows a pasted receipt genuine with the ledger’s record, and an altered one refused (zh-CN, 1440×900)', async () => {
    const page = await harness.newPage();
    await page.goto(`${harness.base}/console/login`);
    await signInUnlessSignedIn(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await seen(page, page.locator('[data-test=menu-receipts]'), 'the Verify receipt menu entry');
    expect(await page.locator('[data-test=menu-receipts]').innerText()).toBe('小票验证');
    await page.locator('[data-test=menu-receipts]').click();
    await seen(page, qrBox(page), 'the QR text box');

    // Nothing pasted yet: said so, nothing asked of the hub.
    await page.locator('[data-test=receipt-verify]').click();
    await seen(page, page.getByText('请先扫描或粘贴二维码内容'), 'the missing-code hint');

    // A scanner types the text in lower case now and then: it is read all the same.
    await qrBox(page).fill(genuine.toLowerCase());
    await page.locator('[data-test=receipt-verify]').click();
    const verdict = page.locator('[data-test=receipt-verdict]');
    await seen(page, verdict, 'the verdict');
    expect(await verdict.getAttribute('data-verdict')).toBe('genuine');
    expect(await verdict.innerText()).toContain('小票真实有效');
    const facts = await page.locator('[data-test=receipt-ledger]').innerText();
    expect(facts).toContain(txId);
    expect(facts).toContain('消费');
    expect(facts).toContain(DEMO_STORE_ID);
    expect(facts).toContain(maskCardUid(DEMO_CARDS.gold));
    expect(await page.locator('[data-test=receipt-total]').innerText()).toBe('¥25.80');
    await shot(page, 'console-receipt-verify-zh-CN');

    // One character of the code changed: not this kiosk's signature any more.
    const at = RECEIPT_QR_PREFIX.length + 30;
    const altered = `${genuine.slice(0, at)}${genuine[at] === 'A' ? 'B' : 'A'}${genuine.slice(at + 1)}`;
    await page.locator('[data-test=receipt-clear]').click();
    await qrBox(page).fill(altered);
    await page.locator('[data-test=receipt-verify]').click();
    await expect.poll(() => verdict.getAttribute('data-verdict')).toMatch(/^RECEIPT_(SIGNATURE_INVALID|QR_MALFORMED)$/);
    const refusal = await verdict.innerText();
    expect(refusal).toMatch(/小票验证失败：可能被篡改或伪造|不是小票二维码/);
    expect(refusal).not.toContain('¥25.80');
    await shot(page, 'console-receipt-forged-zh-CN');
    expect(harness.problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('lets HQ give a store its address, phone and time zone on the stores page', async () => {
    const page = await harness.newPage();
    await page.goto(`${harness.base}/console/login`);
    await signInUnlessSignedIn(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await seen(page, page.locator('[data-test=menu-stores]'), 'the stores menu entry');
    await page.locator('[data-test=menu-stores]').click();
    await seen(page, page.locator(`[data-test=edit-store-${DEMO_STORE_ID}]`), 'the demo store’s edit button');
    await page.locator(`[data-test=edit-store-${DEMO_STORE_ID}]`).click();
    await seen(page, field(page, 'store-address'), 'the store dialog');
    await field(page, 'store-address').fill('上海市徐汇区漕溪北路88号');
    await field(page, 'store-phone').fill('021-6400 1234');
    await page.locator('[data-test=org-save]').click();
    await expect.poll(() => page.locator(`[data-test=store-address-${DEMO_STORE_ID}]`).innerText()).toBe('上海市徐汇区漕溪北路88号');
    expect(await harness.hub.fleet.store(DEMO_STORE_ID)).toMatchObject({ address: '上海市徐汇区漕溪北路88号', phone: '021-6400 1234', timezone: 'Asia/Shanghai' });
    const [entry] = await harness.hub.store.identity.auditEntries({ limit: 1, action: 'fleet.change_store' });
    expect(entry).toMatchObject({ target: DEMO_STORE_ID, after: expect.objectContaining({ phone: '021-6400 1234' }) });
    await shot(page, 'console-stores-profile-zh-CN');
    expect(harness.problems).toEqual([]);
    await page.close();
  }, 60_000);
});
