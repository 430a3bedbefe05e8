/**
 * Importing members in real Chromium against a real hub (embedded broker, SQLite, demo data; the console built by the
 * same build-if-stale step `npm start` runs, e2e/console/support/console-harness.ts). The demo HQ admin opens the
 * import page from the member search, uploads a GBK CSV (what Excel on a Chinese Windows saves) with a bad amount and
 * a phone twice: the errors are shown by row, nothing can be imported; the corrected file previews clean, is
 * imported after a confirmation, and the members are found by the search. The journal audit is clean at the end.
 *
 * Screenshot: docs/screenshots/console-member-import-zh-CN.png (the preview with its errors, 1440×900).
 */
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD } from '../../hub/demo/seed-demo-data.ts';
import { seen } from '../screen/support/seen.ts';
import { field, SHOTS, startConsoleHarness, submitLogin, type ConsoleHarness } from './support/console-harness.ts';

const HEADER = '姓名,手机号,卡号,等级,开卡门店,性别,生日,储值余额（元）,积分,推荐人手机号';
const ROWS = [
  '王芳,13912340001,D1000001,gold,store-001,女,1990/5/7,200.5,1200,',
  '李强,13912340002,D1000002,,store-001,男,,12.345,,13912340001',
  '赵敏,13912340001,D1000003,silver,store-001,,,88,300,13800138001',
];
const FIXED = [ROWS[0]!, ROWS[1]!.replace('12.345', '12.3'), ROWS[2]!.replace('13912340001,D1000003', '13912340003,D1000003')];
const gbkCsv = (rows: string[]) => iconv.encode(`${HEADER}\r\n${rows.join('\r\n')}\r\n`, 'gbk');

describe('HQ console: importing members in Chromium', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness({ tempPrefix: 'mk-console-member-import-e2e-', expectedConsoleErrors: /status of 40[0-9]/ });
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  });

  const upload = async (page: Page, name: string, bytes: Buffer) => {
    await page.locator('[data-test=import-file]').setInputFiles({ name, mimeType: 'text/csv', buffer: bytes });
  };

  it('shows the errors of a bad file by row, imports the corrected file whole after a confirmation', async () => {
    const page = await harness.newPage();
    await page.goto(`${harness.base}/console/`);
    await submitLogin(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await seen(page, field(page, 'search-input'), 'the member search');
    await page.locator('[data-test=open-import]').click();
    await seen(page, page.locator('[data-test=import-choose]'), 'the import page');
    const template = await page.evaluate(async () => (await fetch('/api/member-import/template.csv')).text());
    expect(template).toContain('姓名,手机号,卡号,等级,开卡门店');

    // A file with a bad amount (row 3) and a phone twice (row 4): errors by row, nothing to import.
    await upload(page, '旧系统会员.csv', gbkCsv(ROWS));
    const errors = await seen(page, page.locator('[data-test=import-errors]'), 'the errors');
    await expect.poll(() => errors.innerText()).toContain('金额最多两位小数');
    const text = await errors.innerText();
    expect(text).toContain('手机号与第 2 行重复');
    expect(text).toContain('12.345');
    expect(await page.locator('[data-test=import-invalid]').innerText()).toBe('2');
    expect(await page.locator('[data-test=import-summary]').innerText()).toContain('GBK');
    expect(await page.locator('[data-test=import-preview] .import-row--error').count()).toBe(2);
    expect(await page.locator('[data-test=import-confirm]').isDisabled()).toBe(true);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'console-member-import-zh-CN.png'), fullPage: true, animations: 'disabled' });

    // Corrected, it previews clean and is imported after the confirmation.
    await upload(page, '旧系统会员-已改正.csv', gbkCsv(FIXED));
    await seen(page, page.locator('[data-test=import-valid]'), 'the clean preview');
    await page.locator('[data-test=import-confirm]').click();
    const box = await seen(page, page.locator('.el-message-box'), 'the confirmation');
    expect(await box.innerText()).toContain('导入 3 位会员');
    await page.locator('.el-message-box .el-button--primary').click();
    const done = await seen(page, page.locator('[data-test=import-done]'), 'the result');
    expect(await done.innerText()).toContain('已导入 3 位会员');

    // The members are there, with their opening balances.
    await page.goto(`${harness.base}/console/members?q=13912340002&field=phone`);
    const results = await seen(page, page.locator('[data-test=results]'), 'the search results');
    await expect.poll(() => results.innerText()).toContain('李强');
    expect(await results.innerText()).toContain('12.30');

    expect(await harness.hub.store.audit()).toEqual([]);
    expect(harness.problems).toEqual([]);
    await page.close();
  }, 120_000);
});
