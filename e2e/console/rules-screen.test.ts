/**
 * The console's Rules page in real Chromium against a real hub (embedded broker with TLS, SQLite, demo data) and a
 * real kiosk of the demo store. The demo HQ admin opens Rules for the store (zh-CN), changes the earn rate in the
 * form, sees the change in the diff, tries a basket (the engine's trace shows the new rate), publishes it signed
 * to the store and watches the kiosk report it applied the new version; then the version history in English, and
 * a region manager who may open only their own store.
 *
 * Screenshots, zh-CN and English, at 1440×900 and on a 390×844 phone: docs/screenshots/console-rules-*.png.
 */
import { DEMO_STORE_NAME } from '../../hub/demo/seed-demo-fleet.ts';
import { join } from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevice, type Device } from '../../device/main.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { DEMO_REGION_ID } from '../../hub/demo/seed-demo-fleet.ts';
import { readHqRootPublicKey } from '../../hub/fleet/hq-root-key.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import type { Hub } from '../../hub/main.ts';
import { enrolForTest } from '../../hub/testing/enrol-for-test.ts';
import type { LaunchedBrowser } from '../screen/support/chromium.ts';
import { seen } from '../screen/support/seen.ts';
import { DESKTOP, field, PHONE, SHOTS, startConsoleHarness, submitLogin, type ConsoleHarness } from './support/console-harness.ts';

const KIOSK = 'kiosk-rules-e2e';
const STORE_SCOPE = `store/${DEMO_STORE_ID}`;
const REGION_MANAGER = { login: 'region-rules', password: 'region-manager-password-1' };

describe('Rules page in Chromium', () => {
  let harness: ConsoleHarness;
  let hub: Hub;
  let dataDir: string;
  let base: string;
  let browser: LaunchedBrowser;
  let device: Device | null = null;

  beforeAll(async () => {
    // 401, 403 and 404 are the refusals this test provokes: expected, not problems.
    harness = await startConsoleHarness({ tempPrefix: 'mk-rules-e2e-', hubSubdir: 'hub', expectedConsoleErrors: /status of 40[134]/ });
    ({ hub, dataDir, base, browser } = harness);
    const { started } = harness;
    // A second store in the demo region, and a region manager of the demo store only.
    await hub.fleet.addStore({ storeId: 'store-rules-2', name: '第二门店', regionId: DEMO_REGION_ID });
    const identity = createIdentityService({ store: hub.store.identity, logger: pino({ level: 'silent' }) });
    await identity.addStaff({ name: '区域经理 Region', role: 'region_manager', storeIds: [DEMO_STORE_ID], login: REGION_MANAGER.login, password: REGION_MANAGER.password }, { kind: 'system', id: 'e2e', surface: 'cli' });
    // A real kiosk of the demo store, enrolled and connected over MQTT with TLS: it applies signed configuration.
    const creds = await enrolForTest({ hub, caSha256: started.caSha256 }, KIOSK, { storeId: DEMO_STORE_ID });
    device = createDevice({
      demo: true,
      deviceId: KIOSK,
      storeId: DEMO_STORE_ID,
      hubUrl: started.brokerTlsUrl!,
      mqtt: { username: creds.username, password: creds.password, caPem: started.caPem, hqRootPublicKeyPem: readHqRootPublicKey(join(dataDir, 'hub'))! },
      dataDir: join(dataDir, KIOSK),
      httpPort: 0,
      logLevel: 'silent',
      tuning: { reconnectMs: 100, session: { lookupMs: 500 } },
    });
    await device.start();
  }, 180_000);

  afterAll(async () => {
    await device?.stop();
    await harness?.close();
  });

  const newPage = (viewport = DESKTOP) => harness.newPage(viewport);
  const shot = async (page: Page, name: string, fullPage = false) => {
    await page.waitForLoadState('networkidle');
    // Toasts ("published v2") gone first: they would cover the page.
    await expect.poll(() => page.locator('.el-message').count(), { timeout: 8_000 }).toBe(0);
    await page.screenshot({ path: join(SHOTS, `console-rules-${name}.png`), fullPage, animations: 'disabled' });
  };
  async function signIn(page: Page, login: string, password: string) {
    await browser.browser.clearCookies();
    await page.goto(`${base}/console/login`);
    await submitLogin(page, login, password);
    await page.waitForURL((url) => !url.pathname.endsWith('/login'));
  }
  async function openRules(page: Page, scope = STORE_SCOPE) {
    await page.goto(`${base}/console/rules?scope=${encodeURIComponent(scope)}`);
    await seen(page, page.locator('[data-test=rules-status]'), 'the rules status line');
    await seen(page, page.locator('[data-test=draft-valid]'), 'the draft checked valid');
  }
  const tab = async (page: Page, name: string) => {
    await page.locator(`[data-test=tab-${name}]`).click();
  };

  it('changes the earn rate in the form, sees the diff, tries a basket, publishes to the store and sees the kiosk apply it', async () => {
    const page = await newPage();
    await signIn(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await expect.poll(() => page.locator('[data-test=side-menu] .el-menu-item').allInnerTexts()).toContain('积分规则');
    await page.locator('[data-test=menu-rules]').click();
    await seen(page, page.locator('[data-test=rules-status]'), 'the rules page');
    await openRules(page);
    await expect.poll(() => page.locator('[data-test=rules-status]').innerText()).toContain('尚未发布');
    // The inherited base rate (1 point per yuan), then 2 in the form: the JSON editor shows the store's own rule.
    await expect.poll(() => field(page, 'form-earn-rate').inputValue()).toBe('1');
    await field(page, 'form-earn-rate').fill('2');
    await expect.poll(() => page.locator('[data-test=json-editor]').innerText()).toContain('"rate": "2"');
    await seen(page, page.locator('[data-test=draft-valid]'), 'the draft checked valid');
    await shot(page, 'edit-zh-1440');

    // A mistake typed in the editor is marked where it is, with its code and path; the form puts it right.
    await page.locator('[data-test=json-editor] .cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('{"rules": [{"kind": "earn_rate", "id": "base", "rate": "fast"}]}');
    await seen(page, page.locator('[data-test=draft-invalid]'), 'the draft marked invalid');
    await expect.poll(() => page.locator('[data-test=draft-issues]').innerText()).toContain('rules.0.rate');
    await seen(page, page.locator('[data-test=json-editor] .cm-lintRange-error'), 'the mistake marked in the editor');
    await field(page, 'form-earn-rate').fill('-1');
    await expect.poll(() => page.locator('[data-test=rules-form]').innerText()).toContain('请输入不超过 4 位小数的数字');
    await field(page, 'form-earn-rate').fill('2');
    await seen(page, page.locator('[data-test=draft-valid]'), 'the draft valid again');
    await expect.poll(() => page.locator('[data-test=json-editor]').innerText()).toContain('"rate": "2"');

    await tab(page, 'diff');
    await seen(page, page.locator('[data-test=diff-added]'), 'added lines');
    await expect.poll(() => page.locator('[data-test=rules-diff]').innerText()).toContain('"rate": "2"');
    await shot(page, 'diff-zh-1440');

    // 100 yuan + 2 × 12.50 yuan, standard member: 250 points with the draft, 125 as published.
    await tab(page, 'try');
    await page.locator('[data-test=try-run]').click();
    await seen(page, page.locator('[data-test=try-trace]'), 'the trace');
    await expect.poll(() => page.locator('[data-test=try-draft-points]').innerText()).toContain('250');
    await expect.poll(() => page.locator('[data-test=try-published-points]').innerText()).toContain('125');
    await expect.poll(() => page.locator('[data-test=try-trace]').innerText()).toMatch(/base[\s\S]*2/);
    await shot(page, 'try-zh-1440');

    await tab(page, 'publish');
    await expect.poll(() => page.locator('[data-test=publish-panel]').innerText()).toContain('v1');
    await page.locator('[data-test=publish]').click();
    await seen(page, page.locator('.rules-confirm'), 'the confirmation');
    await page.locator('.rules-confirm .el-button--primary').click();
    await seen(page, page.locator('[data-test=rollout-table]'), 'the rollout');
    await expect.poll(() => page.locator('[data-test=rules-status]').innerText()).toContain('v1');
    await seen(page, page.locator(`[data-test=rollout-${KIOSK}]`), 'the kiosk in the rollout');
    // The kiosk gets the signed bundle, applies it and reports it: the page reads the rollout every 3 s.
    await expect.poll(() => page.locator(`[data-test=rollout-${KIOSK}]`).innerText(), { timeout: 30_000, interval: 500 }).toBe('已应用');
    await expect.poll(() => page.locator('[data-test=rollout-counts]').innerText()).toContain('已应用 1');
    await shot(page, 'rollout-zh-1440');

    // The hub recorded version 1 of the store's scope, published by the admin, and the audit log has it.
    const recorded = await page.evaluate(async (scope) => {
      const view = (await (await fetch(`/api/rules/scope?scope=${encodeURIComponent(scope)}`)).json()) as { latest: { version: number; publishedBy: string; rules: unknown } };
      const audit = (await (await fetch('/api/audit-log?action=rules.publish')).json()) as { entries: { outcome: string; target: string }[] };
      return { version: view.latest.version, by: view.latest.publishedBy, rules: view.latest.rules, audit: audit.entries.map((e) => `${e.target} ${e.outcome}`) };
    }, STORE_SCOPE);
    expect(recorded).toMatchObject({ version: 1, by: expect.stringMatching(/^staff:/), rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '2' }] } });
    expect(recorded.audit).toContain(`${STORE_SCOPE} ok`);
    const deviceState = (await hub.deviceStatus.list()).find((s) => s.deviceId === KIOSK);
    expect(deviceState?.scopeVersions[STORE_SCOPE]).toBe(1);

    // History in English; the first content published again as a new version (roll forward).
    await page.locator('[data-test=lang-en]').click();
    await tab(page, 'edit');
    await field(page, 'form-earn-rate').fill('3');
    await seen(page, page.locator('[data-test=draft-valid]'), 'the draft checked valid');
    await tab(page, 'publish');
    await page.locator('[data-test=publish]').click();
    await page.locator('.rules-confirm .el-button--primary').click();
    await expect.poll(() => page.locator('[data-test=rules-status]').innerText()).toContain('Published v2');
    await tab(page, 'history');
    await seen(page, page.locator('[data-test=history-v2]'), 'version 2 in the history');
    await page.locator('[data-test=again-v1]').click();
    await page.locator('.rules-confirm .el-button--primary').click();
    await expect.poll(() => page.locator('[data-test=rules-status]').innerText()).toContain('Published v3');
    await tab(page, 'history');
    await seen(page, page.locator('[data-test=history-v3]'), 'version 3 in the history');
    await expect.poll(() => page.locator('[data-test=history-table]').innerText()).toContain('Same as v1');
    await shot(page, 'history-en-1440');
    await tab(page, 'edit');
    await expect.poll(() => field(page, 'form-earn-rate').inputValue()).toBe('2');
    await shot(page, 'edit-en-1440');
    await tab(page, 'rollout');
    await expect.poll(() => page.locator(`[data-test=rollout-${KIOSK}]`).innerText(), { timeout: 30_000, interval: 500 }).toBe('Applied');
    await expect.poll(() => page.locator('[data-test=rollout]').innerText()).toContain('Rollout (v3)');
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 150_000);

  it('fits a 390-wide phone, in Chinese and English', async () => {
    const page = await newPage(PHONE);
    await signIn(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await page.evaluate("localStorage.setItem('mk.console.locale', 'zh-CN')");
    await openRules(page);
    await shot(page, 'edit-zh-390', true);
    await tab(page, 'try');
    await page.locator('[data-test=try-run]').click();
    await seen(page, page.locator('[data-test=try-trace]'), 'the trace');
    await shot(page, 'try-zh-390', true);
    // Nothing wider than the phone but the editor's and tables' own scrolling.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.locator('[data-test=lang-en]').click();
    await tab(page, 'rollout');
    await seen(page, page.locator(`[data-test=rollout-${KIOSK}]`), 'the kiosk in the rollout');
    await shot(page, 'rollout-en-390', true);
    await tab(page, 'history');
    await shot(page, 'history-en-390', true);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 90_000);

  it('lets a region manager open their own store only: the menu, the scope list and the API agree', async () => {
    const page = await newPage();
    await signIn(page, REGION_MANAGER.login, REGION_MANAGER.password);
    await page.evaluate("localStorage.setItem('mk.console.locale', 'zh-CN')");
    await page.goto(`${base}/console/rules`);
    await seen(page, page.locator('[data-test=rules-status]'), 'the rules page');
    await page.locator('[data-test=rules-scope]').click();
    await expect.poll(() => page.locator('.el-select-dropdown__item:visible').allInnerTexts()).toEqual([expect.stringContaining(`门店：${DEMO_STORE_NAME}`)]);
    const api = await page.evaluate(async () => {
      const status = async (url: string, body?: unknown) => (await fetch(url, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
      return {
        global: await status('/api/rules/scope?scope=global'),
        other: await status('/api/rules/scope?scope=store%2Fstore-rules-2'),
        publishGlobal: await status('/api/rules/publish', { scope: 'global', rules: {} }),
        own: await status('/api/rules/scope?scope=store%2Fstore-001'),
      };
    });
    expect(api).toEqual({ global: 403, other: 403, publishGlobal: 403, own: 200 });
    await page.close();
    expect(harness.problems).toEqual([]);
  }, 60_000);
});
