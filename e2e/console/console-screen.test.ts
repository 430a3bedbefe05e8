/**
 * The HQ console web app in real Chromium against a real hub (embedded broker, SQLite, demo data), its console
 * built by the same build-if-stale step `npm start` runs. The demo HQ admin signs in (zh-CN by default), finds a
 * member and opens their page (history with the rule trace), reads the audit log, switches to English; a store
 * manager sees only their store's members in the page and through the API with their own session.
 *
 * Screenshots of each page, zh-CN and English, at 1440×900 and on a 390×844 phone, go to docs/screenshots/.
 */
import { join } from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import type { Hub } from '../../hub/main.ts';
import type { LaunchedBrowser } from '../screen/support/chromium.ts';
import { seen } from '../screen/support/seen.ts';
import { DESKTOP, field, PHONE, SHOTS, startConsoleHarness, submitLogin, type ConsoleHarness } from './support/console-harness.ts';

const STORE_B = 'store-002';
const MANAGER = { login: 'manager-001', password: 'store-manager-password-1' };

describe('HQ console in Chromium', () => {
  let harness: ConsoleHarness;
  let hub: Hub;
  let base: string;
  let browser: LaunchedBrowser;

  beforeAll(async () => {
    // 401, 403 and 404 are the refusals this test provokes: expected, not problems.
    harness = await startConsoleHarness({ tempPrefix: 'mk-console-e2e-', expectedConsoleErrors: /status of 40[134]/ });
    ({ hub, base, browser } = harness);
    // A second store with members of its own (one with a Chinese name), and a store manager of the demo store with a hub login.
    await hub.store.createMember({ memberId: 'B0001', name: '徐兰', phone: '13911112222', tier: 'gold', creditLimitCents: 0, homeStoreId: STORE_B, cards: [{ uid: 'BB0000000001' }] });
    await hub.store.createMember({ memberId: 'B0002', name: 'Li Bo', phone: '13911113333', tier: 'standard', creditLimitCents: 0, homeStoreId: STORE_B, cards: [{ uid: 'BB0000000002' }] });
    await hub.store.createMember({ memberId: 'M0101', name: '王小明', phone: '13622223333', tier: 'silver', creditLimitCents: 0, homeStoreId: DEMO_STORE_ID, cards: [{ uid: 'A10000000101' }] });
    const identity = createIdentityService({ store: hub.store.identity, logger: pino({ level: 'silent' }) });
    await identity.addStaff({ name: '门店经理 Store Manager', role: 'store_manager', storeIds: [DEMO_STORE_ID], login: MANAGER.login, password: MANAGER.password }, { kind: 'system', id: 'e2e', surface: 'cli' });
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  const newPage = (viewport = DESKTOP) => harness.newPage(viewport);
  /** Member pages whole (history and trace below the fold); the others as the viewport shows them. */
  const shot = async (page: Page, name: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage: name.startsWith('member-'), animations: 'disabled' });
  };
  async function signIn(page: Page, login: string, password: string) {
    await page.goto(`${base}/console/`);
    await submitLogin(page, login, password);
    await seen(page, field(page, 'search-input'), 'the member search');
  }
  async function searchFor(page: Page, text: string) {
    await field(page, 'search-input').fill(text);
    await page.locator('[data-test=search-submit]').click();
    await seen(page, page.locator('[data-test=result-count]'), 'the result count');
  }

  it('signs the HQ admin in (zh-CN), finds a member, opens their page and the audit log, then switches to English', async () => {
    const page = await newPage();
    await page.goto(`${base}/console/`);
    await seen(page, page.getByText('登录总部控制台'), 'the Chinese login heading');
    expect(page.url()).toBe(`${base}/console/login`);
    await shot(page, 'login-zh-1440');
    // A wrong password is refused on the page.
    await field(page, 'login').fill(DEMO_ADMIN_LOGIN);
    await field(page, 'password').fill('not-the-password');
    await page.locator('[data-test=submit]').click();
    await seen(page, page.getByText('账号或密码不正确'), 'the refusal');

    await signIn(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/console/members');
    await expect.poll(() => page.locator('[data-test=side-menu] .el-menu-item').allInnerTexts()).toEqual(['会员', '员工', '门店与区域', '自助机', '礼品与库存', '卡类型与收费', '兑换码', '积分抽奖', '提成设置', '积分规则', '报表', '消息记录', '审计日志', '隐私与设置', '我的账户', '小票验证']);
    await expect.poll(() => page.locator('[data-test=user-role]').innerText()).toBe('总部管理员');

    await searchFor(page, '13800138');
    await expect.poll(() => page.locator('[data-test=results] .el-table__body tr').count()).toBe(4);
    await shot(page, 'members-zh-1440');
    await searchFor(page, '王');
    await expect.poll(() => page.locator('[data-test=results]').innerText()).toContain('王小明');
    await searchFor(page, '8003');
    await page.locator('[data-test="member-M0003"]').click();
    await seen(page, page.locator('[data-test=member-name]'), "the member's name");
    expect(new URL(page.url()).pathname).toBe('/console/members/M0003');
    await expect.poll(() => page.locator('[data-test=member-name]').innerText()).toBe('Zhang Min');
    await expect.poll(() => page.locator('[data-test=member-tier]').innerText()).toBe('金卡会员');
    await expect.poll(() => page.locator('[data-test=profile]').innerText()).toContain('13800138003');
    // The newest transaction opened: its rule trace.
    await page.locator('[data-test=history] .el-table__expand-icon').first().click();
    await seen(page, page.locator('[data-test=trace]'), 'the rule trace');
    // The opening purchase's trace in Chinese: the engine's own words rendered (core/rules/trace-text.ts).
    await expect.poll(() => page.locator('[data-test=trace]').first().innerText()).toMatch(/金卡积分×1\.5\s+\+400积分/);
    await shot(page, 'member-zh-1440');

    await page.locator('[data-test=menu-audit-log]').click();
    await seen(page, page.locator('[data-test=audit-table] .el-table__body tr'), 'audit entries');
    await expect.poll(() => page.locator('[data-test=audit-table]').innerText()).toContain('staff.login');
    await field(page, 'filter-action').fill('staff.login');
    await page.locator('[data-test=filter-submit]').click();
    await expect.poll(async () => new Set((await page.locator('[data-test=audit-table] .el-table__body tr td:nth-child(4)').allInnerTexts()).map((s) => s.trim()))).toEqual(new Set(['staff.login']));
    await shot(page, 'audit-zh-1440');

    await page.locator('[data-test=lang-en]').click();
    await seen(page, page.getByText('Audit log', { exact: true }).first(), 'the English menu');
    await expect.poll(() => page.locator('[data-test=side-menu] .el-menu-item').allInnerTexts()).toEqual(['Members', 'Staff', 'Stores & regions', 'Kiosks', 'Gifts & stock', 'Card types & fees', 'Redemption codes', 'Points draws', 'Commission', 'Points rules', 'Reports', 'Messages', 'Audit log', 'Privacy & settings', 'My account', 'Verify receipt']);
    await shot(page, 'audit-en-1440');
    await page.goto(`${base}/console/members?q=13800138&field=phone`);
    await expect.poll(() => page.locator('[data-test=results] .el-table__body tr').count()).toBe(4);
    await expect.poll(() => page.locator('[data-test=results] .el-table__header').innerText()).toContain('Stored value');
    await shot(page, 'members-en-1440');
    await page.goto(`${base}/console/members/M0003`);
    await expect.poll(() => page.locator('[data-test=member-tier]').innerText()).toBe('Gold');
    await page.locator('[data-test=history] .el-table__expand-icon').first().click();
    await seen(page, page.getByText('How the rules applied'), 'the English trace heading');
    await expect.poll(() => page.locator('[data-test=trace]').first().innerText()).toMatch(/gold ×1\.5\s+\+400 pts/);
    await shot(page, 'member-en-1440');

    // A 390-wide phone: the menu is a drawer, results are cards.
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/console/members?q=13800138&field=phone`);
    await expect.poll(() => page.locator('[data-test=results] .el-card').count()).toBe(4);
    await shot(page, 'members-en-390');
    await page.goto(`${base}/console/members/M0003`);
    await seen(page, page.locator('[data-test=member-name]'), "the member's name");
    await shot(page, 'member-en-390');
    await page.locator('[data-test=menu-toggle]').click();
    await seen(page, page.locator('[data-test=menu-audit-log]'), 'the drawer menu');
    await page.locator('[data-test=menu-audit-log]').click();
    await seen(page, page.locator('[data-test=audit-table] .el-table__body tr'), 'audit entries');
    await page.locator('[data-test=lang-zh-CN]').click();
    await seen(page, page.locator('h1', { hasText: '审计日志' }), 'the Chinese page title');
    await shot(page, 'audit-zh-390');
    await page.goto(`${base}/console/members?q=13800138&field=phone`);
    await expect.poll(() => page.locator('[data-test=results] .el-card').count()).toBe(4);
    await shot(page, 'members-zh-390');
    await page.goto(`${base}/console/members/M0003`);
    await seen(page, page.locator('[data-test=member-name]'), "the member's name");
    await shot(page, 'member-zh-390');
    await page.goto(`${base}/console/login`);
    await page.evaluate(() => fetch('/api/logout', { method: 'POST' }));
    await page.goto(`${base}/console/`);
    await seen(page, field(page, 'login'), 'the login form');
    await shot(page, 'login-zh-390');
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 120_000);

  it("shows a store manager only their store's members, in the page and through the API", async () => {
    await browser.browser.clearCookies();
    const page = await newPage();
    await signIn(page, MANAGER.login, MANAGER.password);
    await expect.poll(() => page.locator('[data-test=side-menu] .el-menu-item').allInnerTexts()).toEqual(['会员', '员工', '礼品与库存', '卡类型与收费', '积分抽奖', '报表', '我的账户', '小票验证']);
    await searchFor(page, 'Li');
    const listed = await page.locator('[data-test=results]').innerText();
    expect(listed).toContain('Li Wei');
    expect(listed).not.toContain('Li Bo');
    await searchFor(page, '1391111');
    await seen(page, page.locator('[data-test=no-results]'), 'no results');
    await searchFor(page, '王');
    await expect.poll(() => page.locator('[data-test=results]').innerText()).toContain('王小明');
    // Phones masked for a store manager.
    await expect.poll(() => page.locator('[data-test=results]').innerText()).toContain('*******3333');
    await shot(page, 'members-store-manager-zh-1440');
    await page.goto(`${base}/console/members/B0001`);
    await seen(page, page.locator('[data-test=member-not-found]'), 'the not-found answer');
    await page.goto(`${base}/console/audit-log`);
    await seen(page, field(page, 'search-input'), 'the member search (audit log is not theirs)');
    // The same session cookie straight at the API: refused exactly as the page shows.
    const api = await page.evaluate(async () => {
      const status = async (url: string) => (await fetch(url)).status;
      const search = (await (await fetch('/api/member-search?q=%E5%BE%90')).json()) as { members: unknown[] };
      return { otherRecord: await status('/api/members/B0001/record'), otherView: await status('/api/members/B0001'), audit: await status('/api/audit-log'), own: await status('/api/members/M0101/record'), found: search.members.length };
    });
    expect(api).toEqual({ otherRecord: 404, otherView: 404, audit: 403, own: 200, found: 0 });
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 90_000);
});
