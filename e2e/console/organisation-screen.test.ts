/**
 * The console's Organisation and My account pages in real Chromium against a real hub (embedded broker, SQLite,
 * demo data), built by the same build-if-stale step `npm start` runs. The demo HQ admin adds a region and a
 * store, creates a cashier with a password for the demo store, creates an enrolment code (shown once) with two
 * kiosks in the registry, changes their own password and signs in with the new one; the cashier signs in and
 * sees only their own account, in the page and through the API.
 *
 * Screenshots, zh-CN and English, at 1440×900 and on a 390×844 phone: docs/screenshots/console-org-*.png.
 */
import { DEMO_STORE_NAME } from '../../hub/demo/seed-demo-fleet.ts';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnrolmentCode } from '../../core/fleet/enrolment-code.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import type { Hub } from '../../hub/main.ts';
import { enrolForTest } from '../../hub/testing/enrol-for-test.ts';
import type { LaunchedBrowser } from '../screen/support/chromium.ts';
import { seen } from '../screen/support/seen.ts';
import { DESKTOP, field, PHONE, SHOTS, startConsoleHarness, submitLogin, type ConsoleHarness } from './support/console-harness.ts';

const CASHIER = { name: '收银员 小李', login: 'cashier-li', password: 'cashier-password-1' };
const NEW_ADMIN_PASSWORD = 'new-admin-password-2026';

describe('HQ console: organisation and my account in Chromium', () => {
  let harness: ConsoleHarness;
  let hub: Hub;
  let base: string;
  let caSha256: string;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    // 400, 401, 403 and 404 are the refusals this test provokes: expected, not problems.
    harness = await startConsoleHarness({ tempPrefix: 'mk-console-org-e2e-', expectedConsoleErrors: /status of 40[0134]/ });
    ({ hub, base, browser } = harness);
    const { started } = harness;
    caSha256 = started.caSha256;
    // Two kiosks in the registry: one reporting (online, a clock 7 s fast, an alert), one enrolled and silent.
    const target = { hub, caSha256 };
    const counter = await enrolForTest(target, 'kiosk-counter-01', { mode: 'attended' });
    await enrolForTest(target, 'kiosk-floor-02', { mode: 'unattended' });
    const now = new Date().toISOString();
    hub.deviceStatus.receiveState(
      counter.deviceId,
      Buffer.from(JSON.stringify({ deviceId: counter.deviceId, software: 'memberkiosk 1.4.2', config: { snapshotVersion: 7, rulesVersion: 3 }, outboxDepth: 0, clockOffsetMs: 7_200, lastAlert: { code: 'CLOCK_SKEW', at: now }, at: now })),
      true,
    );
    hub.deviceStatus.receiveAvailability(counter.deviceId, Buffer.from('online'), true);
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  const newPage = (viewport = DESKTOP) => harness.newPage(viewport);
  const shot = async (page: Page, name: string, fullPage = false) => {
    await page.waitForLoadState('networkidle');
    // Let Element Plus's dialog transitions settle; the last action's toasts would cover the page.
    await page.waitForTimeout(350);
    await page.evaluate("document.querySelectorAll('.el-message').forEach((m) => m.remove())");
    await page.screenshot({ path: join(SHOTS, `console-org-${name}.png`), fullPage, animations: 'disabled' });
  };
  const menu = (page: Page) => page.locator('[data-test=side-menu] .el-menu-item').allInnerTexts();
  async function signIn(page: Page, login: string, password: string) {
    await page.goto(`${base}/console/login`);
    await submitLogin(page, login, password);
    await seen(page, page.locator('[data-test=side-menu]'), 'the side menu');
  }
  async function signOut(page: Page) {
    await page.locator('[data-test=user-menu]').click();
    await page.locator('[data-test=logout]').click();
    await seen(page, field(page, 'login'), 'the login form');
  }
  /** Picks an option of an Element Plus select by its data-test. */
  async function pick(page: Page, select: string, option: string) {
    await page.locator(`[data-test=${select}]`).click();
    await page.locator(`[data-test=${option}]:visible`).first().click();
  }

  it('lets HQ add a store, create a cashier and an enrolment code, and change their own password (zh-CN, then English and phone)', async () => {
    const page = await newPage();
    await signIn(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await expect.poll(() => menu(page)).toEqual(expect.arrayContaining(['会员', '员工', '门店与区域', '自助机', '审计日志', '我的账户']));

    // Stores and regions: a region and a store added.
    await page.locator('[data-test=menu-stores]').click();
    await seen(page, page.locator(`[data-test=store-${DEMO_STORE_ID}]`), 'the demo store');
    await page.locator('[data-test=add-region]').click();
    await field(page, 'org-id').fill('east');
    await field(page, 'org-name').fill('华东区');
    await page.locator('[data-test=org-save]').click();
    await seen(page, page.locator('[data-test=regions]').getByText('华东区'), 'the new region');
    await page.locator('[data-test=add-store]').click();
    await field(page, 'org-id').fill('store-sh-01');
    await field(page, 'org-name').fill('上海南京路店');
    await page.locator('[data-test=org-region]').click();
    await page.getByRole('option', { name: '华东区 (east)' }).click();
    await page.locator('[data-test=org-save]').click();
    await seen(page, page.locator('[data-test=store-store-sh-01]'), 'the new store');
    await shot(page, 'stores-zh-1440');

    // Staff: a cashier with a login and password for the demo store.
    await page.locator('[data-test=menu-staff]').click();
    await seen(page, page.locator('[data-test=staff-admin]'), 'the HQ admin in the staff list');
    await page.locator('[data-test=staff-create]').click();
    await seen(page, field(page, 'staff-name'), 'the new staff form');
    await field(page, 'staff-name').fill(CASHIER.name);
    await pick(page, 'staff-stores', `store-option-${DEMO_STORE_ID}`);
    await page.locator('[data-test=staff-dialog] .el-dialog__title').click(); // closes the store list
    await field(page, 'staff-login').fill(CASHIER.login);
    await field(page, 'staff-password').fill(CASHIER.password);
    await shot(page, 'staff-create-zh-1440');
    await page.locator('[data-test=staff-save]').click();
    await seen(page, page.locator(`[data-test=staff-${CASHIER.login}]`), 'the new cashier in the list');
    const row = page.locator('[data-test=staff-list] .el-table__body tr', { has: page.locator(`[data-test=staff-${CASHIER.login}]`) });
    await expect.poll(() => row.innerText()).toContain('收银员');
    await expect.poll(() => row.innerText()).toContain(DEMO_STORE_NAME);
    await shot(page, 'staff-zh-1440');

    // Kiosks: the registry, and a new enrolment code shown once.
    await page.locator('[data-test=menu-kiosks]').click();
    await seen(page, page.locator('[data-test=device-kiosk-counter-01]'), 'the reporting kiosk');
    const counterRow = await page.locator('[data-test=devices] .el-table__body tr', { has: page.locator('[data-test=device-kiosk-counter-01]') }).innerText();
    for (const text of ['在线', 'memberkiosk 1.4.2', 'v3 · #7', '+7.2 s', 'CLOCK_SKEW']) expect(counterRow).toContain(text);
    await expect.poll(() => page.locator('[data-test=devices] .el-table__body tr', { has: page.locator('[data-test=device-kiosk-floor-02]') }).innerText()).toContain('从未上报');
    await shot(page, 'kiosks-zh-1440');
    await page.locator('[data-test=new-code]').click();
    await page.locator('[data-test=code-create]').click();
    const code = (await (await seen(page, page.locator('[data-test=enrolment-code]'), 'the enrolment code')).innerText()).trim();
    expect(parseEnrolmentCode(code)?.caSha256).toBe(caSha256);
    await shot(page, 'kiosks-code-zh-1440');
    await page.locator('[data-test=code-close]').click();
    await expect.poll(() => page.locator('[data-test=enrolment-code]').count()).toBe(0);

    // My account: the wrong current password refused, then changed.
    await page.locator('[data-test=menu-account]').click();
    await seen(page, field(page, 'current-password'), 'the change-password form');
    await field(page, 'current-password').fill('not-my-password');
    await field(page, 'new-password').fill(NEW_ADMIN_PASSWORD);
    await field(page, 'repeat-password').fill(NEW_ADMIN_PASSWORD);
    await page.locator('[data-test=password-submit]').click();
    await seen(page, page.locator('[data-test=password-error]').getByText('当前密码不正确'), 'the refusal');
    expect(new URL(page.url()).pathname).toBe('/console/account');
    await field(page, 'current-password').fill(DEMO_ADMIN_PASSWORD);
    await page.locator('[data-test=password-submit]').click();
    await seen(page, page.getByText('密码已修改'), 'the confirmation');
    await expect.poll(() => page.locator('[data-test=sessions]').innerText()).toContain('当前会话');
    await shot(page, 'account-zh-1440');
    await signOut(page);
    await field(page, 'login').fill(DEMO_ADMIN_LOGIN);
    await field(page, 'password').fill(DEMO_ADMIN_PASSWORD);
    await page.locator('[data-test=submit]').click();
    await seen(page, page.getByText('账号或密码不正确'), 'the old password refused');
    await signIn(page, DEMO_ADMIN_LOGIN, NEW_ADMIN_PASSWORD);

    // English, 1440.
    await page.locator('[data-test=lang-en]').click();
    await page.goto(`${base}/console/staff`);
    await seen(page, page.locator(`[data-test=staff-${CASHIER.login}]`), 'the cashier');
    await expect.poll(() => menu(page)).toEqual(expect.arrayContaining(['Staff', 'Stores & regions', 'Kiosks', 'My account']));
    await shot(page, 'staff-en-1440');
    await page.goto(`${base}/console/stores`);
    await seen(page, page.locator('[data-test=store-store-sh-01]'), 'the new store');
    await shot(page, 'stores-en-1440');
    await page.goto(`${base}/console/kiosks`);
    await seen(page, page.locator('[data-test=device-kiosk-counter-01]'), 'the kiosks');
    await shot(page, 'kiosks-en-1440');
    await page.goto(`${base}/console/account`);
    await seen(page, page.locator('[data-test=session-row], [data-test=sessions] .el-table__body tr'), 'the sessions');
    await shot(page, 'account-en-1440');

    // A 390-wide phone: cards instead of tables, dialogs full screen.
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/console/staff`);
    await seen(page, page.locator(`[data-test=staff-list] .el-card [data-test=staff-${CASHIER.login}], [data-test=staff-list] .el-card`), 'the staff cards');
    await shot(page, 'staff-en-390');
    await page.goto(`${base}/console/kiosks`);
    await seen(page, page.locator('[data-test=devices] .el-card'), 'the kiosk cards');
    await shot(page, 'kiosks-en-390', true);
    await page.goto(`${base}/console/account`);
    await seen(page, field(page, 'current-password'), 'the change-password form');
    await shot(page, 'account-en-390', true);
    await page.locator('[data-test=lang-zh-CN]').click();
    await page.goto(`${base}/console/staff`);
    await seen(page, page.locator('[data-test=staff-list] .el-card'), 'the staff cards');
    await shot(page, 'staff-zh-390');
    await page.locator('[data-test=staff-create]').click();
    await seen(page, field(page, 'staff-name'), 'the new staff form');
    await shot(page, 'staff-create-zh-390');
    await page.keyboard.press('Escape');
    await page.goto(`${base}/console/stores`);
    await seen(page, page.locator('[data-test=store-store-sh-01]'), 'the stores');
    await shot(page, 'stores-zh-390', true);
    await page.goto(`${base}/console/kiosks`);
    await seen(page, page.locator('[data-test=devices] .el-card'), 'the kiosk cards');
    await shot(page, 'kiosks-zh-390', true);
    await page.goto(`${base}/console/account`);
    await seen(page, field(page, 'current-password'), 'the change-password form');
    await shot(page, 'account-zh-390', true);
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 180_000);

  it('lets the new cashier sign in and see only their own account, in the page and through the API', async () => {
    await browser.browser.clearCookies();
    const page = await newPage();
    await page.goto(`${base}/console/login`);
    await page.evaluate("localStorage.setItem('mk.console.locale', 'zh-CN')");
    await signIn(page, CASHIER.login, CASHIER.password);
    expect(new URL(page.url()).pathname).toBe('/console/account');
    await expect.poll(() => menu(page)).toEqual(['我的账户', '小票验证']);
    await expect.poll(() => page.locator('[data-test=account-name]').innerText()).toBe(CASHIER.name);
    await expect.poll(() => page.locator('[data-test=user-role]').innerText()).toBe('收银员');
    await shot(page, 'cashier-zh-1440');
    for (const path of ['/console/staff', '/console/kiosks', '/console/stores', '/console/members', '/console/audit-log']) {
      await page.goto(`${base}${path}`);
      await seen(page, field(page, 'current-password'), `my account instead of ${path}`);
      expect(new URL(page.url()).pathname).toBe('/console/account');
    }
    const api = await page.evaluate(async () => {
      const status = async (url: string, init?: RequestInit) => (await fetch(url, init)).status;
      const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return {
        staff: await status('/api/staff'),
        create: await status('/api/staff', post({ name: 'x', role: 'cashier', storeIds: ['store-001'], login: 'sneaky', password: 'sneaky-password-1' })),
        devices: await status('/api/devices'),
        code: await status('/api/enrolment-codes', post({ storeId: 'store-001' })),
        stores: await status('/api/stores'),
        search: await status('/api/member-search?q=Li'),
        sessions: await status('/api/me/sessions'),
      };
    });
    expect(api).toEqual({ staff: 403, create: 403, devices: 403, code: 403, stores: 403, search: 403, sessions: 200 });
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/console/account`);
    await seen(page, field(page, 'current-password'), 'the change-password form');
    await shot(page, 'cashier-zh-390', true);
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 90_000);
});
