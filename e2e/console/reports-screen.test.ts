/**
 * The console's Reports page in real Chromium against a real hub (embedded broker with TLS, SQLite, demo data).
 * The demo HQ admin opens Reports (zh-CN): the sales and top-up trend of the last 30 days shows a chart and a table
 * with today's demo sales (4, ¥2,650) and top-ups (4, ¥3,700); the xlsx export downloads, and read back with exceljs
 * its figures equal the table's. Then English, the purchases tab, and a 390-wide phone.
 *
 * Screenshots, zh-CN and English, at 1440×900 and on a 390×844 phone: docs/screenshots/console-reports-*.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD } from '../../hub/demo/seed-demo-data.ts';
import { seen } from '../screen/support/seen.ts';
import { PHONE, SHOTS, startConsoleHarness, submitLogin, type ConsoleHarness } from './support/console-harness.ts';

/** Today in the chain's zone (the browser runs in Asia/Shanghai too). */
const TODAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
/** The figure in a cell ("¥2,650.00", "4"): the number. */
const figure = (text: string) => Number(text.replace(/[^0-9.-]/g, ''));

describe('Reports page in Chromium', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness({ tempPrefix: 'mk-reports-e2e-', expectedConsoleErrors: /status of 40[134]/ });
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  });

  const shot = async (page: Page, name: string, fullPage = false) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, `console-reports-${name}.png`), fullPage, animations: 'disabled' });
  };
  async function openReports(page: Page, locale: 'zh-CN' | 'en') {
    await harness.browser.browser.clearCookies();
    await page.goto(`${harness.base}/console/login`);
    await page.evaluate(`localStorage.setItem('mk.console.locale', '${locale}')`);
    await submitLogin(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await page.waitForURL((url) => !url.pathname.endsWith('/login'));
    await page.locator('.el-menu-item', { hasText: locale === 'en' ? 'Reports' : '报表' }).first().click();
    await page.waitForURL((url) => url.pathname.endsWith('/reports'));
    await seen(page, page.locator('[data-test=report-chart] canvas'), 'the trend chart');
    await seen(page, page.locator('[data-test=trend-table] .el-table__body tr', { hasText: TODAY }), "today's row");
  }
  /** The trend table's row of a day: [period, sales, sales amount, top-ups, top-up amount] as shown. */
  const trendRow = async (page: Page, day: string) => page.locator('[data-test=trend-table] .el-table__body tr', { hasText: day }).first().locator('td').allInnerTexts();

  it('HQ admin sees the sales trend of the demo data and exports it to xlsx with the same figures', async () => {
    const page = await harness.newPage();
    await openReports(page, 'zh-CN');
    const row = await trendRow(page, TODAY);
    expect(row.map((cell) => cell.trim())).toEqual([TODAY, '4', expect.stringContaining('2,650.00'), '4', expect.stringContaining('3,700.00')]);
    // 30 days, today last; the summary row totals them.
    expect(await page.locator('[data-test=trend-table] .el-table__body tr').count()).toBe(30);
    expect((await page.locator('[data-test=trend-table] .el-table__footer td').allInnerTexts()).map((c) => c.trim())).toEqual(['合计', '4', expect.stringContaining('2,650.00'), '4', expect.stringContaining('3,700.00')]);
    await shot(page, 'trend-zh-1440');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-xlsx]').click()]);
    expect(download.suggestedFilename()).toMatch(/^trend-day-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync((await download.path())) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['周期', '消费笔数', '消费金额(元)', '充值笔数', '充值金额(元)']);
    expect(sheet.rowCount).toBe(31);
    // Every day of the file equals the table's row of it.
    for (let r = 2; r <= sheet.rowCount; r++) {
      const values = (sheet.getRow(r).values as (string | number)[]).slice(1);
      const shown = await trendRow(page, String(values[0]));
      expect(values).toEqual([shown[0]!.trim(), ...shown.slice(1).map(figure)]);
    }
    expect((sheet.getRow(31).values as unknown[]).slice(1)).toEqual([TODAY, 4, 2650, 4, 3700]);

    // English; the purchases of the period, newest first.
    await page.locator('[data-test=lang-en]').click();
    await seen(page, page.locator('[data-test=trend-table] th', { hasText: 'Sales amount' }), 'the English table');
    await shot(page, 'trend-en-1440');
    await page.locator('#tab-consumption').click();
    await seen(page, page.locator('[data-test=consumption-table] .el-table__body tr', { hasText: 'Chen Jing' }), 'the purchases');
    expect(await page.locator('[data-test=consumption-table] .el-table__body tr').count()).toBe(4);
    await shot(page, 'consumption-en-1440');
    await page.locator('#tab-topUps').click();
    await seen(page, page.locator('[data-test=topups-staff-table] .el-table__body tr', { hasText: 'Demo HQ Admin' }), 'the top-ups per staff');
    await shot(page, 'topups-en-1440');
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 120_000);

  it('fits a 390-wide phone, in Chinese and English', async () => {
    const page = await harness.newPage(PHONE);
    await harness.browser.browser.clearCookies();
    await page.goto(`${harness.base}/console/login`);
    await page.evaluate("localStorage.setItem('mk.console.locale', 'zh-CN')");
    await submitLogin(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await page.waitForURL((url) => !url.pathname.endsWith('/login'));
    await page.goto(`${harness.base}/console/reports`);
    await seen(page, page.locator('[data-test=report-chart] canvas'), 'the trend chart');
    await seen(page, page.locator('[data-test=trend-table] .el-table__body tr', { hasText: TODAY }), "today's row");
    await shot(page, 'trend-zh-390', true);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.locator('[data-test=lang-en]').click();
    await page.locator('#tab-points').click();
    await seen(page, page.locator('[data-test=points-table] .el-table__body tr', { hasText: 'Outstanding' }), 'the points liability');
    await shot(page, 'points-en-390', true);
    await page.locator('#tab-consumption').click();
    await seen(page, page.locator('[data-test=consumption-table] .el-table__body tr', { hasText: 'Chen Jing' }), 'the purchases');
    await shot(page, 'consumption-en-390', true);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 90_000);
});

