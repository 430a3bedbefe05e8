/**
 * The Reports page's member reports in real Chromium against a real hub (embedded broker with TLS, SQLite, demo
 * data). Beside the demo's four members (each bought something today) the test writes, in the ledger's shapes, a
 * member whose last purchase, on credit (¥200, never repaid), was 120 days ago, a member referred today by Chen Jing (who earns 100 referral points)
 * who never bought anything, and Zhang Min's redemption of two coffee mugs today. The demo HQ admin opens each
 * member report: active and dormant (4 / 1 / 1, the never-visited first), credit, card types and tiers,
 * demographics, gifts, referrals and staff commission; the dormant members and the commission export to xlsx
 * and, read back with exceljs, show the table's members and staff. Then the tier filter, and the English page.
 *
 * Screenshots at 1440×900: docs/screenshots/console-reports-{churn,credit,cards,demographics,gifts,referrals,commission}-*.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { seen } from '../screen/support/seen.ts';
import { SHOTS, startConsoleHarness, submitLogin, type ConsoleHarness } from './support/console-harness.ts';
import { chooseOption } from './support/choose-option.ts';

const DAY = 86_400_000;

/** The test's own rows, written beside the running hub (WAL: the hub's connection keeps writing meanwhile). */
function writeRows(ledgerPath: string): void {
  const db = new Database(ledgerPath);
  db.pragma('busy_timeout = 5000');
  const now = Date.now();
  const at = (ms: number) => new Date(ms).toISOString();
  let seq = 0;
  const tx = (txId: string, kind: string, memberId: string, createdAt: string, fields: Record<string, unknown> = {}) =>
    db
      .prepare(`INSERT INTO transactions (tx_id, device_id, seq, kind, content_hash, payload, status, member_id, created_at, applied_at, result)
        VALUES (?, 'e2e-kiosk', ?, ?, 'e2e', ?, 'applied', ?, ?, ?, '{}')`)
      .run(txId, ++seq, kind, JSON.stringify({ kind, storeId: DEMO_STORE_ID, ...fields }), memberId, createdAt, createdAt);
  const member = db.prepare("INSERT INTO members (member_id, name, phone, tier, referrer_id, created_at, home_store_id) VALUES (?, ?, ?, ?, ?, ?, 'store-001')");
  const card = db.prepare("INSERT INTO cards (uid, member_id, status, issued_at) VALUES (?, ?, 'active', ?)");
  const journal = db.prepare('INSERT INTO journal (tx_id, member_id, account, amount, lot_id) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    member.run('M0901', 'Sun Li', '13800138901', 'standard', null, '2025-01-01T00:00:00.000Z');
    card.run('E2E0000000901', 'M0901', '2025-01-01T00:00:00.000Z');
    tx('E2E-P-M0901', 'purchase', 'M0901', at(now - 120 * DAY));
    // On credit, never repaid: overdue, and over a limit of nothing.
    journal.run('E2E-P-M0901', 'M0901', 'credit', 20_000, null);
    member.run('M0902', 'Zhou Xin', '13800138902', 'silver', 'M0004', at(now - 60_000));
    card.run('E2E0000000902', 'M0902', at(now - 60_000));
    tx('E2E-REG-M0902', 'register_member', 'M0902', at(now - 60_000));
    journal.run('E2E-REG-M0902', 'M0004', 'points', 100, 'E2E-REG-M0902:ref1');
    tx('E2E-GIFT-1', 'redeem_gift', 'M0003', at(now - 30_000), { giftSku: 'GIFT-MUG', qty: 2 });
    journal.run('E2E-GIFT-1', 'M0003', 'points', -1000, 'E2E-lot');
  })();
  db.close();
}

describe('member reports in Chromium', () => {
  let harness: ConsoleHarness;

  beforeAll(async () => {
    harness = await startConsoleHarness({ tempPrefix: 'mk-member-reports-e2e-', expectedConsoleErrors: /status of 40[134]/ });
    writeRows(join(harness.hubDataDir, 'ledger.sqlite'));
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  });

  const shot = async (page: Page, name: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, `console-reports-${name}.png`), animations: 'disabled' });
  };
  const cells = async (page: Page, table: string, row = 0) => (await page.locator(`[data-test=${table}] .el-table__body tr`).nth(row).locator('td').allInnerTexts()).map((c) => c.trim());
  async function openTab(page: Page, tab: string, table: string, what: string) {
    await page.locator(`#tab-${tab}`).click();
    await seen(page, page.locator(`[data-test=${table}] .el-table__body tr`), what);
  }

  it('HQ admin opens every member report and exports the dormant members and the commission to xlsx', async () => {
    const page = await harness.newPage();
    await page.goto(`${harness.base}/console/login`);
    await page.evaluate("localStorage.setItem('mk.console.locale', 'zh-CN')");
    await submitLogin(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await page.waitForURL((url) => !url.pathname.endsWith('/login'));
    await page.goto(`${harness.base}/console/reports`);
    await seen(page, page.locator('[data-test=trend-table]'), 'the trend table');

    // Active and dormant: the demo's four shopped today; Sun Li 120 days ago; Zhou Xin never.
    await openTab(page, 'churn', 'churn-table', 'the dormant members');
    expect(await page.locator('[data-test=churn-active] .figure__value').innerText()).toBe('4');
    expect(await page.locator('[data-test=churn-dormant] .figure__value').innerText()).toBe('1');
    expect(await page.locator('[data-test=churn-never] .figure__value').innerText()).toBe('1');
    expect(await page.locator('[data-test=churn-table] .el-table__body tr').count()).toBe(2);
    const never = await cells(page, 'churn-table', 0);
    const dormant = await cells(page, 'churn-table', 1);
    expect([never[0], never[1], never[4], never[5]]).toEqual(['Zhou Xin', '13800138902', '从未消费', '—']);
    expect([dormant[0], dormant[5]]).toEqual(['Sun Li', '120']);
    await seen(page, page.locator('[data-test=churn-report] [data-test=report-chart] canvas'), 'the churn chart');
    await shot(page, 'churn-zh-1440');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-churn-xlsx]').click()]);
    expect(download.suggestedFilename()).toBe('churn-90d-all.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(await download.path()) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1, 4)).toEqual(['会员号', '姓名', '手机']);
    expect(sheet.rowCount).toBe(3);
    expect([2, 3].map((r) => (sheet.getRow(r).values as unknown[]).slice(1, 3))).toEqual([['M0902', 'Zhou Xin'], ['M0901', 'Sun Li']]);
    expect((sheet.getRow(3).values as unknown[])[7]).toBe(120);

    await openTab(page, 'credit', 'credit-warnings-table', 'the credit warnings');
    const warning = await cells(page, 'credit-warnings-table', 0);
    expect([warning[0], warning[3]?.replace(/\s+/g, ''), warning[4]]).toEqual(['Sun Li', '逾期超额', expect.stringContaining('200.00')]);
    // Its statements roll on month by month, still owing ¥200.
    await seen(page, page.locator('[data-test=credit-statements-table] .el-table__body tr'), 'the credit statements');
    await shot(page, 'credit-zh-1440');

    // Tiers: standard Li Wei and Sun Li, silver Wang Fang and Zhou Xin, gold, diamond.
    await openTab(page, 'cards', 'tiers-table', 'the tiers');
    const tiers = await page.locator('[data-test=tiers-table] .el-table__body tr').allInnerTexts();
    expect(tiers.map((row) => row.replace(/\s+/g, ' ').trim()).sort()).toEqual(['普通会员 2', '金卡会员 1', '钻石会员 1', '银卡会员 2'].sort());
    await seen(page, page.locator('[data-test=card-types-table] .el-table__body tr'), 'the card types');
    await shot(page, 'cards-zh-1440');

    await openTab(page, 'demographics', 'age-table', 'the age bands');
    expect((await page.locator('[data-test=region-table] .el-table__footer td').allInnerTexts()).map((c) => c.trim())).toEqual(['合计', '6']);
    await shot(page, 'demographics-zh-1440');

    await openTab(page, 'gifts', 'gifts-table', 'the gift redemptions');
    expect(await cells(page, 'gifts-table', 0)).toEqual(['Coffee mug', '1', '2', '1,000']);
    await shot(page, 'gifts-zh-1440');

    await openTab(page, 'referrals', 'referrals-table', 'the referral ranking');
    const top = await cells(page, 'referrals-table', 0);
    expect([top[0], top[1], top.at(-2), top.at(-1)]).toEqual(['1', 'Chen Jing', '1', '100']);
    await shot(page, 'referrals-zh-1440');

    await page.locator('#tab-commission').click();
    await seen(page, page.locator('[data-test=commission-table] .el-table__body tr', { hasText: 'Demo HQ Admin' }), "the HQ admin's commission row");
    await shot(page, 'commission-zh-1440');
    // Its xlsx: the table's staff member and their total, in yuan.
    const [commission] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-commission-xlsx]').click()]);
    const commissionBook = new ExcelJS.Workbook();
    await commissionBook.xlsx.load(readFileSync(await commission.path()) as unknown as ArrayBuffer);
    const commissionSheet = commissionBook.worksheets[0]!;
    expect((commissionSheet.getRow(1).values as unknown[]).slice(1)).toEqual(['员工编号', '姓名', '级别', '提成项目', '金额(元)', '笔数', '提成(元)']);
    const totals = (commissionSheet.getColumn(4).values as unknown[]).filter((v) => v === 'total');
    expect(totals.length).toBeGreaterThan(0);
    expect(commissionSheet.getColumn(2).values as unknown[]).toContain('演示总部管理员 Demo HQ Admin');

    // The tier filter: only silver members; Zhou Xin is the one never seen.
    await page.locator('#tab-churn').click();
    await chooseOption(page, page.locator('[data-test=report-tier]'), page.locator('.el-select-dropdown__item:visible', { hasText: '银卡会员' }), '银卡会员');
    await page.locator('[data-test=report-submit]').click();
    await seen(page, page.locator('[data-test=churn-active] .figure__value', { hasText: '1' }), 'one active silver member');
    expect(await page.locator('[data-test=churn-never] .figure__value').innerText()).toBe('1');
    expect(await page.locator('[data-test=churn-table] .el-table__body tr').count()).toBe(1);

    await page.locator('[data-test=lang-en]').click();
    await seen(page, page.locator('[data-test=churn-report] th', { hasText: 'Last visit' }), 'the English table');
    await shot(page, 'churn-en-1440');
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 180_000);
});
