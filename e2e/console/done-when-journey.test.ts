/**
 * Issue 12's "done when", as a person does it after `npm start`: `memberkiosk demo` (the hub and one kiosk on
 * embedded defaults, in a process of its own, as `npm start` runs it), then in real Chromium, in Chinese: the demo
 * HQ admin logs in, finds a member and opens their page, changes the earn rate and publishes it signed to the demo
 * store, watches the demo kiosk report the new version applied, and exports the sales report to xlsx, which opens
 * (exceljs) with Chinese headings and the figures the page shows.
 */
import { DEMO_STORE_NAME } from '../../hub/demo/seed-demo-fleet.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { freePort } from '../../hub/testing/free-port.ts';
import { ensureConsoleBuilt } from '../../scripts/console/ensure-console-built.ts';
import { assertChromiumInstalled, openChromiumContext, type LaunchedBrowser } from '../screen/support/chromium.ts';
import { seen } from '../screen/support/seen.ts';
import { DESKTOP, field, SHOTS, submitLogin } from './support/console-harness.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_KIOSK = 'kiosk-001';

describe('issue 12 done: after npm start, HQ runs the chain from the console in Chinese', () => {
  let dataDir: string;
  let demo: ChildProcess;
  let output = '';
  let consoleUrl: string;
  let browser: LaunchedBrowser;
  const problems: string[] = [];

  beforeAll(async () => {
    assertChromiumInstalled();
    await ensureConsoleBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'mk-done-when-'));
    const [mqtt, hub, kiosk, https, mqtts] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    demo = spawn(
      process.execPath,
      [join(REPO, 'bin/memberkiosk.mjs'), 'demo', '--data', dataDir, '--mqtt-port', `${mqtt}`, '--hub-port', `${hub}`, '--kiosk-port', `${kiosk}`, '--https-port', `${https}`, '--mqtts-port', `${mqtts}`],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // What npm start prints: the console's address is read from it, as a person would.
    const printed = () => /HQ console:\s+(http:\/\/\S+?)\/console\//.exec(output)?.[1];
    for (const deadline = Date.now() + 90_000; !printed(); await new Promise((r) => setTimeout(r, 250))) {
      if (Date.now() > deadline || demo.exitCode !== null) throw new Error(`memberkiosk demo printed no console address:\n${output}`);
    }
    consoleUrl = printed()!;
    browser = await openChromiumContext({ viewport: DESKTOP });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.browser.newPage();
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    return page;
  }

  it('logs in, finds a member, changes and publishes a rule the kiosk applies, and exports a report that opens, in Chinese', async () => {
    const page = await newPage();
    await page.goto(`${consoleUrl}/console/`);
    await submitLogin(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await page.waitForURL((url) => !url.pathname.endsWith('/login'));

    // Find a member by the last digits of their phone, and open their page.
    await seen(page, field(page, 'search-input'), 'the member search');
    await field(page, 'search-input').fill('138003');
    await page.locator('[data-test=search-submit]').click();
    await expect.poll(() => page.locator('[data-test=results] .el-table__body tr').count(), { timeout: 10_000 }).toBe(1);
    await page.locator('[data-test=results] .el-table__body tr').first().click();
    await expect.poll(() => page.locator('[data-test=member-tier]').innerText()).toBe('金卡会员');
    await expect.poll(() => page.locator('[data-test=member-name]').innerText()).toContain('Zhang Min');

    // The earn rate from 1 to 2 points a yuan for the demo store, published signed; the demo kiosk applies it.
    await page.locator('[data-test=menu-rules]').click();
    await page.goto(`${consoleUrl}/console/rules?scope=${encodeURIComponent(`store/${DEMO_STORE_ID}`)}`);
    await seen(page, page.locator('[data-test=draft-valid]'), 'the draft checked valid');
    await expect.poll(() => field(page, 'form-earn-rate').inputValue()).toBe('1');
    await field(page, 'form-earn-rate').fill('2');
    await seen(page, page.locator('[data-test=draft-valid]'), 'the changed draft checked valid');
    // `memberkiosk demo` already published the store's shop as v1, so "v1" is on the page before the publish; the
    // test reads the version it starts from and waits for the publish's own answer, never for text that was there
    // already (it once polled for "v1", met the old status, or — under load — the new one, "v2", and failed).
    await expect.poll(() => page.locator('[data-test=rules-status]').innerText()).toMatch(/^已发布 v\d+ /);
    const before = Number(/^已发布 v(\d+) /.exec(await page.locator('[data-test=rules-status]').innerText())![1]);
    const next = before + 1;
    await page.locator('[data-test=tab-publish]').click();
    await page.locator('[data-test=publish]').click();
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/rules/publish') && r.request().method() === 'POST'),
      page.locator('.rules-confirm .el-button--primary').click(),
    ]);
    expect({ status: answer.status(), version: ((await answer.json()) as { version: number }).version }).toEqual({ status: 201, version: next });
    await expect.poll(() => page.locator('[data-test=rules-status]').innerText()).toContain(`v${next} `);
    // The rollout of the new version (its heading names it), not the one the page opened with, which the kiosk had applied.
    await expect.poll(() => page.locator('[data-test=rollout]').innerText()).toContain(`（v${next}）`);
    await expect.poll(() => page.locator(`[data-test=rollout-${DEMO_KIOSK}]`).innerText(), { timeout: 60_000, interval: 500 }).toBe('已应用');
    await expect.poll(() => page.locator('[data-test=rollout-table] .el-table__body').innerText()).toContain(`v${next}`);
    // The rollout names the store, not its id.
    await expect.poll(() => page.locator('[data-test=rollout-table]').innerText()).toContain(DEMO_STORE_NAME);
    await page.screenshot({ path: join(SHOTS, 'console-done-when-rollout-zh-1440.png') });

    // The sales report of the demo's day, exported to Excel: it opens, in Chinese, with the page's figures.
    await page.locator('[data-test=menu-reports]').click();
    await seen(page, page.locator('[data-test=export-xlsx]').first(), 'the export button');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-xlsx]').first().click()]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync((await download.path())) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('销售与充值趋势');
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['周期', '消费笔数', '消费金额(元)', '充值笔数', '充值金额(元)']);
    let sales = 0;
    sheet.eachRow((row, n) => {
      if (n > 1) sales += Number(row.getCell(3).value);
    });
    const shown = await page.evaluate(async () => {
      // Every demo sale was made at start: a window around today in any zone holds them all, as the page's does.
      const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
      const answer = (await (await fetch(`/api/reports/trend?from=${day(-30)}&to=${day(2)}`)).json()) as { totals: { salesCents: number } };
      return answer.totals.salesCents;
    });
    expect(sales * 100).toBeGreaterThan(0);
    expect(Math.round(sales * 100)).toBe(shown);
    await page.close();
    expect(problems).toEqual([]);
  }, 180_000);
});
