/**
 * The Privacy & settings page and the audit log export in real Chromium against a real hub (embedded broker,
 * SQLite, demo data; e2e/console/support/console-harness.ts). The demo HQ admin sets a retention period and sees
 * the preview, defines a custom member field and finds it on a member's page, then exports the audit log filtered
 * to the settings changes and reads the xlsx back. The journal audit is clean at the end.
 *
 * Screenshot: docs/screenshots/console-settings-zh-CN.png (1440×900, whole page).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD } from '../../hub/demo/seed-demo-data.ts';
import { seen } from '../screen/support/seen.ts';
import { DESKTOP, PHONE, field, SHOTS, signInUnlessSignedIn, startConsoleHarness, submitLogin, type ConsoleHarness } from './support/console-harness.ts';

describe('HQ console: privacy & settings in Chromium', () => {
  let harness: ConsoleHarness;
  let base: string;

  beforeAll(async () => {
    harness = await startConsoleHarness({ tempPrefix: 'mk-console-settings-e2e-', expectedConsoleErrors: /status of 40[0134]/ });
    base = harness.base;
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('sets a retention period and previews it, defines a member field seen on the member page, exports the audit log', async () => {
    const page = await harness.newPage(DESKTOP);
    await page.goto(`${base}/console/`);
    await submitLogin(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await (await seen(page, page.locator('[data-test=menu-settings]'), 'the settings menu entry')).click();
    await seen(page, page.locator('[data-test=retention]'), 'the retention section');

    // Retention: contact log 12 months, inactive members 24 months; the preview first, then saved.
    await page.locator('[data-test=retention-contacts-on]').click();
    await field(page, 'retention-contact-months').fill('12');
    await field(page, 'retention-contact-months').press('Tab');
    await page.locator('[data-test=retention-inactive-on]').click();
    await field(page, 'retention-inactive-months').fill('24');
    await field(page, 'retention-inactive-months').press('Tab');
    await page.locator('[data-test=retention-preview]').click();
    // The demo members all hold balances: nobody is reached, and no contact entry is that old.
    await expect.poll(() => page.locator('[data-test=preview-members]').innerText()).toContain('删除 0 位会员的个人信息');
    await expect.poll(() => page.locator('[data-test=preview-contacts]').innerText()).toContain('删除 0 条回访记录');
    await page.locator('[data-test=retention-save]').click();
    const saved = await page.evaluate(async () => (await (await fetch('/api/settings/retention')).json()) as { settings: { contactMonths: number; inactiveMonths: number } });
    expect(saved.settings).toMatchObject({ contactMonths: 12, inactiveMonths: 24 });

    // A custom member field, with its English label.
    await page.locator('[data-test=field-add]').click();
    await field(page, 'field-key-0').fill('car_plate');
    await field(page, 'field-label-0').fill('车牌号');
    await field(page, 'field-label-en-0').fill('Car plate');
    await page.locator('[data-test=fields-save]').click();
    await expect.poll(() => page.locator('[data-test=fields-table]').innerText()).toContain('car_plate');
    await page.waitForLoadState('networkidle');
    await page.evaluate("document.querySelectorAll('.el-message').forEach((m) => m.remove())");
    await page.screenshot({ path: join(SHOTS, 'console-settings-zh-CN.png'), fullPage: true, animations: 'disabled' });

    await page.goto(`${base}/console/members/M0001`);
    await expect.poll(() => page.locator('[data-test=profile-extra]').innerText()).toContain('车牌号');

    // The audit log filtered to the settings changes, exported as xlsx and read back.
    await page.goto(`${base}/console/audit-log`);
    await seen(page, page.locator('[data-test=audit-table] .el-table__body tr'), 'audit entries');
    await field(page, 'filter-action').fill('settings.');
    await page.locator('[data-test=filter-submit]').click();
    await expect.poll(async () => (await page.locator('[data-test=audit-table] .el-table__body tr td:nth-child(4)').allInnerTexts()).map((s) => s.trim())).toEqual(['settings.retention']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=audit-export-xlsx]').click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-log-.*\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile(await download.path())) as unknown as ArrayBuffer);
    const actions: string[] = [];
    workbook.worksheets[0]!.eachRow((row, n) => n > 1 && actions.push(row.getCell(7).text));
    expect(actions).toEqual(['settings.retention']);
    expect((await harness.hub.store.identity.auditEntries({ limit: 1, action: 'audit.export' }))[0]).toMatchObject({ detail: { format: 'xlsx', filter: { action: 'settings.' } } });

    expect(await harness.hub.store.audit()).toEqual([]);
    expect(harness.problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('reads in English and fits a 390-wide phone', async () => {
    const page = await harness.newPage(DESKTOP);
    await page.goto(`${base}/console/login`);
    await signInUnlessSignedIn(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await page.goto(`${base}/console/settings`);
    await seen(page, page.locator('[data-test=retention]'), 'the retention section');
    await page.locator('[data-test=lang-en]').click();
    await seen(page, page.locator('main').getByText('Privacy & settings').first(), 'the English page');
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, 'console-settings-en.png'), fullPage: true, animations: 'disabled' });
    await page.setViewportSize(PHONE);
    await seen(page, page.locator('[data-test=retention]'), 'the retention section on a phone');
    // The narrow layout follows the resize a moment later.
    await expect.poll(() => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'console-settings-en-390.png'), fullPage: true, animations: 'disabled' });
    await page.locator('[data-test=lang-zh-CN]').click();
    expect(harness.problems).toEqual([]);
    await page.close();
  }, 90_000);
});
