/**
 * Issue 14, "done when": HQ sees the birthday flow grant and message a demo member exactly once. A real hub with
 * Node-RED on (the supervised child, our hub nodes, the shipped birthday flow), the flows' demo data (a member whose
 * birthday is today, who agreed to marketing), the SMS gateway the recording fake (no SMS may leave a test). The
 * birthday flow's inject button is pressed twice through the editor's admin API, as the editor's button does; then
 * in real Chromium the demo HQ admin opens the birthday member's page — one 200-point 生日积分 grant in the history,
 * one sent birthday message in 消息记录 — and the Messages page, which lists it once beside the other recipients.
 *
 * The other messages (a member without marketing consent, a gateway failure, a store-manager alert with no staff
 * webhook configured) are sent through the hub's real message service and SQLite record, by a second service the
 * test makes with a recording gateway of its own: the shipped flows that would send them need days of history.
 *
 * Screenshots, zh-CN and English at 1440×900 and zh-CN on a 390×844 phone: docs/screenshots/console-member-messages-*.png
 * and console-messages-*.png.
 */
import { join } from 'node:path';
import pino from 'pino';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STORE_NAME } from '../../hub/demo/seed-demo-fleet.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_BIRTHDAY_MEMBER, DEMO_MEMBERS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import { createMessageService } from '../../hub/messaging/message-service.ts';
import { createRecordingSmsGatewayFake } from '../../hub/messaging/recording-sms-gateway.ts';
import { seen } from '../screen/support/seen.ts';
import { editorToken, waitFor } from '../support/node-red-editor.ts';
import { DESKTOP, field, PHONE, SHOTS, startConsoleHarness, submitLogin, type ConsoleHarness } from './support/console-harness.ts';

const BIRTHDAY = DEMO_BIRTHDAY_MEMBER;
const OTHER = DEMO_MEMBERS[0];
const MANAGER = { login: 'manager-msg', password: 'store-manager-password-1' };
/** Marketing messages to OTHER, who never agreed: one more than the member section's page of 10 with the two below. */
const UNCONSENTED = 11;
/** Words that are data on these pages, not the console's: names, the store, the messages' own (Chinese) texts. */
const DATA = [BIRTHDAY.name, OTHER.name, DEMO_STORE_NAME, BIRTHDAY.memberId, OTHER.memberId];
const CODE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;
const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/;

describe('HQ console: what the hub’s flows sent, in Chromium', () => {
  let harness: ConsoleHarness;
  let base: string;

  beforeAll(async () => {
    // 401 (the session check before signing in), 404 (an unknown member id in the filter): expected, not problems.
    harness = await startConsoleHarness({
      tempPrefix: 'mk-console-messages-e2e-',
      expectedConsoleErrors: /status of 40[14]/,
      hubConfig: {
        seedDemoAutomation: true,
        nodeRed: { enabled: true, port: 0, credentialSecret: 'console-messages-e2e-secret', flows: ['birthday-bonus'] },
        messaging: { sms: { kind: 'recording' }, staffWebhook: null, inboundToken: null },
      },
    });
    base = harness.base;
    expect(await harness.hub.nodeRed()!.ready).not.toBeNull();
    const identity = createIdentityService({ store: harness.hub.store.identity, logger: pino({ level: 'silent' }) });
    await identity.addStaff({ name: '门店经理', role: 'store_manager', storeIds: [DEMO_STORE_ID], login: MANAGER.login, password: MANAGER.password }, { kind: 'system', id: 'e2e', surface: 'cli' });
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  });

  const birthdayMessages = async () => harness.hub.store.messaging.list({ memberId: BIRTHDAY.memberId, limit: 50 });

  /** Presses the birthday flow's inject button through the editor's admin API, as the editor's button does. */
  async function pressBirthdayInject(token: string): Promise<void> {
    const response = await fetch(`${base}/node-red/inject/mk-birthday-bonus-daily`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
  }

  /** The other recipients and outcomes, through the hub's own message service and record. */
  async function sendOtherMessages(): Promise<void> {
    const sms = createRecordingSmsGatewayFake();
    const service = createMessageService({
      store: harness.hub.store.messaging,
      sms,
      staffWebhook: null,
      storeName: async (id) => (await harness.hub.fleet.store(id))?.name ?? null,
      logger: pino({ level: 'silent' }),
    });
    const send = (params: unknown) => service.send(params);
    for (let i = 1; i <= UNCONSENTED; i++) {
      expect(await send({ to: { memberId: OTHER.memberId }, purpose: 'marketing', text: `会员日第 ${i} 期：全场积分翻倍`, idempotencyKey: `e2e-promo-${i}` })).toMatchObject({ status: 'skipped-no-consent' });
    }
    sms.failNext('SMS_GATEWAY_FAILED');
    expect(await send({ to: { memberId: OTHER.memberId }, purpose: 'service', text: '您的积分将于月底到期', idempotencyKey: 'e2e-expiry-1' })).toMatchObject({ status: 'failed' });
    expect(await send({ to: { memberId: OTHER.memberId }, purpose: 'service', text: '您的积分将于月底到期，请及时使用', idempotencyKey: 'e2e-expiry-2' })).toMatchObject({ status: 'sent' });
    expect(await send({ to: { storeManagers: DEMO_STORE_ID }, purpose: 'service', text: '1 号自助机打印纸将尽，请及时更换', idempotencyKey: 'e2e-paper-1' })).toMatchObject({ status: 'skipped-no-contact' });
  }

  const shot = async (page: Page, name: string, fullPage = true) => {
    await page.waitForLoadState('networkidle');
    // The header is sticky: a whole-page shot taken scrolled down would draw it mid-page.
    if (fullPage) await page.evaluate('window.scrollTo(0, 0)');
    await page.waitForTimeout(350);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' });
  };

  /** What of a part of the page is in the other language: English words on a zh-CN page, Chinese on an English one. */
  async function foreign(locator: Locator, locale: 'zh-CN' | 'en', data: readonly string[]): Promise<string[]> {
    let text = (await locator.innerText()).replace(CODE, ' ');
    for (const d of [...data].sort((a, b) => b.length - a.length)) text = text.split(d).join(' ');
    if (locale === 'zh-CN') return text.match(/[A-Za-z]{4,}/g) ?? [];
    return text.split('\n').filter((line) => CJK.test(line));
  }

  /** The statuses of the messages a list shows, top to bottom (what the hub recorded, whatever the words). */
  const statuses = async (list: Locator) => Promise.all((await list.locator('[data-test=message-status]').all()).map((tag) => tag.getAttribute('data-status')));
  const historyRows = (page: Page) => page.locator('[data-test=history] .el-table__body tr.el-table__row');

  it('shows the birthday member one 200-point grant and one sent message after the flow ran twice, and lists it once on the Messages page', async () => {
    // The flow, run twice through the editor's admin API.
    const admin = await editorToken(`${base}/node-red/`, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    expect(admin.status).toBe(200);
    await pressBirthdayInject(admin.accessToken!);
    await waitFor('the birthday message sent', birthdayMessages, (list) => list.some((m) => m.status === 'sent'));
    await pressBirthdayInject(admin.accessToken!);
    // The second run grants and sends nothing, so there is nothing to wait for but its time to run.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await sendOtherMessages();

    const page = await harness.newPage(DESKTOP);
    await page.goto(`${base}/console/`);
    await submitLogin(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await seen(page, field(page, 'search-input'), 'the member search');

    // The member's page: one 200-point 生日积分 grant in the history.
    await page.goto(`${base}/console/members/${BIRTHDAY.memberId}`);
    await seen(page, page.locator('[data-test=member-name]'), "the member's name");
    const section = page.locator('[data-test=member-messages]');
    await seen(page, section.locator('[data-test=message-status]'), 'the member’s messages');
    await page.waitForLoadState('networkidle');
    const bonuses = historyRows(page).filter({ hasText: '手工调整积分' });
    expect(await bonuses.count()).toBe(1);
    expect(await bonuses.innerText()).toContain('+200');
    await bonuses.locator('.el-table__expand-icon').click();
    await expect.poll(() => page.locator('[data-test=trace]').innerText()).toContain('生日积分');

    // …and one message, sent, saying happy birthday: the marketing SMS the member agreed to.
    const list = section.locator('[data-test=member-message-list]');
    expect(await statuses(list)).toEqual(['sent']);
    const row = list.locator('.el-table__row');
    expect(await row.count()).toBe(1);
    const rowText = await row.innerText();
    for (const words of ['已发送', '营销', '短信', '生日快乐']) expect(rowText).toContain(words);
    expect(await foreign(section, 'zh-CN', DATA)).toEqual([]);
    await shot(page, 'console-member-messages-zh-1440');

    // The Messages page, from the menu: the birthday message once, beside the others, each in words.
    await page.locator('[data-test=menu-messages]').click();
    const all = page.locator('[data-test=message-list]');
    await seen(page, all.locator('[data-test=message-status]'), 'the messages');
    await expect.poll(() => all.locator('.el-table__row').count()).toBe(UNCONSENTED + 4);
    const birthdayRows = all.locator('.el-table__row').filter({ hasText: '生日快乐' });
    expect(await birthdayRows.count()).toBe(1);
    const birthdayRow = await birthdayRows.innerText();
    for (const words of [BIRTHDAY.name, BIRTHDAY.memberId, '已发送', '营销', '短信']) expect(birthdayRow).toContain(words);
    // The hub masks the phone: its last four digits at most.
    expect(birthdayRow).not.toContain(BIRTHDAY.phone);
    const storeRow = await all.locator('.el-table__row').filter({ hasText: '打印纸将尽' }).innerText();
    for (const words of [`${DEMO_STORE_NAME} 店长`, '未发送：无联系方式', '工作群机器人', '服务']) expect(storeRow).toContain(words);
    const pageText = await all.innerText();
    for (const words of ['未发送：未授权营销', '发送失败', 'SMS_GATEWAY_FAILED']) expect(pageText).toContain(words);
    await seen(page, page.locator('[data-test=messages-end]'), 'the end of the messages');
    expect(await foreign(page.locator('main'), 'zh-CN', DATA)).toEqual([]);
    await shot(page, 'console-messages-zh-1440');

    // Filtered by member id: the birthday member's one message; an id the hub does not know, said so in Chinese.
    await field(page, 'filter-member').fill(BIRTHDAY.memberId);
    await page.locator('[data-test=filter-submit]').click();
    await expect.poll(() => statuses(all)).toEqual(['sent']);
    await field(page, 'filter-member').fill('M9999');
    await page.locator('[data-test=filter-submit]').click();
    await expect.poll(() => page.locator('main .el-alert').innerText()).toContain('没有这位会员，或不在您的管理范围内');
    await page.locator('[data-test=filter-reset]').click();
    await expect.poll(() => all.locator('.el-table__row').count()).toBe(UNCONSENTED + 4);

    // A member with more than a page of messages: ten, then the rest, newest first.
    await page.goto(`${base}/console/members/${OTHER.memberId}`);
    const other = page.locator('[data-test=member-message-list]');
    await seen(page, other.locator('[data-test=message-status]'), 'the member’s messages');
    await expect.poll(() => statuses(other)).toEqual(['sent', 'failed', ...Array<string>(8).fill('skipped-no-consent')]);
    await page.locator('[data-test=member-messages-more]').click();
    await expect.poll(() => statuses(other)).toEqual(['sent', 'failed', ...Array<string>(UNCONSENTED).fill('skipped-no-consent')]);
    await expect.poll(() => page.locator('[data-test=member-messages-more]').count()).toBe(0);
    // Newest first: the last one shown is the first promotion sent.
    expect(await other.locator('[data-test=message-text]').last().innerText()).toContain('会员日第 1 期');

    // English.
    await page.evaluate("localStorage.setItem('mk.console.locale', 'en')");
    await page.goto(`${base}/console/members/${BIRTHDAY.memberId}`);
    await seen(page, page.locator('[data-test=member-messages]').getByText('Sent', { exact: true }), 'the English status');
    const enRow = await page.locator('[data-test=member-message-list] .el-table__row').innerText();
    for (const words of ['Marketing', 'SMS']) expect(enRow).toContain(words);
    const birthdayText = await page.locator('[data-test=member-message-list] [data-test=message-text]').innerText();
    expect(await foreign(page.locator('[data-test=member-messages]'), 'en', [...DATA, birthdayText])).toEqual([]);
    await shot(page, 'console-member-messages-en-1440');
    await page.goto(`${base}/console/messages`);
    await seen(page, page.locator('h1', { hasText: 'Messages' }), 'the English page title');
    await expect.poll(() => page.locator('[data-test=message-list] .el-table__row').count()).toBe(UNCONSENTED + 4);
    const enPage = await page.locator('[data-test=message-list]').innerText();
    for (const words of ['Not sent: no marketing consent', 'Not sent: no contact', 'Failed to send', `Managers of ${DEMO_STORE_NAME}`, 'Staff group robot']) expect(enPage).toContain(words);
    const texts = await page.locator('[data-test=message-list] [data-test=message-text]').allInnerTexts();
    expect(await foreign(page.locator('main'), 'en', [...DATA, ...texts])).toEqual([]);
    await shot(page, 'console-messages-en-1440');

    // A 390-wide phone, in Chinese: cards instead of tables.
    await page.evaluate("localStorage.setItem('mk.console.locale', 'zh-CN')");
    await page.setViewportSize(PHONE);
    await page.reload();
    await seen(page, page.locator('[data-test=message-list] [data-test=message-status]'), 'the message cards');
    expect(await page.locator('[data-test=message-list] .el-card').count()).toBe(UNCONSENTED + 4);
    await shot(page, 'console-messages-zh-390');
    await page.goto(`${base}/console/members/${BIRTHDAY.memberId}`);
    await seen(page, page.locator('[data-test=member-message-list] [data-test=message-status]'), 'the member’s message card');
    expect(await statuses(page.locator('[data-test=member-message-list]'))).toEqual(['sent']);
    await shot(page, 'console-member-messages-zh-390');

    expect(await harness.hub.store.audit()).toEqual([]);
    expect(harness.problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows a store manager, whom the hub does not let read messages, neither the page nor the section, and no error', async () => {
    const page = await harness.newPage(DESKTOP);
    // The browser's pages share their cookies: the HQ admin's session goes first.
    await page.context().clearCookies();
    await page.goto(`${base}/console/`);
    await submitLogin(page, MANAGER.login, MANAGER.password);
    await seen(page, field(page, 'search-input'), 'the member search');
    expect(await page.locator('[data-test=menu-messages]').count()).toBe(0);
    await page.goto(`${base}/console/members/${BIRTHDAY.memberId}`);
    await seen(page, page.locator('[data-test=member-name]'), "the member's name");
    await seen(page, page.locator('[data-test=history]'), 'the history');
    await page.waitForLoadState('networkidle');
    expect(await page.locator('[data-test=member-messages]').count()).toBe(0);
    expect(await page.locator('.el-alert--error').count()).toBe(0);
    // The page itself, asked for by its address: the router sends the manager to their first page.
    await page.goto(`${base}/console/messages`);
    await seen(page, field(page, 'search-input'), 'the member search');
    expect(harness.problems).toEqual([]);
    await page.close();
  }, 60_000);
});
