/**
 * What a technician or HQ admin sees: the real Node-RED editor in Chromium, logged in through the parent's staff
 * login (the recording stand-in answers it), in Chinese. Our nodes are in the palette's memberkiosk category with
 * their Chinese names, shipped flows' nodes open in their edit dialogs with Chinese labels (and the rows their
 * options call for), the help is the Chinese one, and the page throws nothing while our node definitions run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChromiumContext, type LaunchedBrowser } from '../screen/support/chromium.ts';
import { RecordingFlowParent, shippedFlow, TEST_TECHNICIAN, writeFlows, type FlowHost } from '../../flows/testing/recording-flow-parent.ts';

interface OpenEditor {
  page: Page;
  pageErrors: string[];
  close(): Promise<void>;
}

/** Node-RED for `host` with `flows`, and its editor open in Chromium in Chinese, logged in. */
async function openEditor(host: FlowHost, flows: unknown[]): Promise<OpenEditor> {
  const dir = mkdtempSync(join(tmpdir(), `mk-flow-editor-${host}-`));
  writeFlows(dir, flows);
  const parent = new RecordingFlowParent({ host, userDir: dir, answers: {} });
  let chromium: LaunchedBrowser | null = null;
  const close = async () => {
    await chromium?.close();
    await parent.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await parent.start();
    chromium = await openChromiumContext();
    const page = await chromium.browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The editor's language setting (Settings → View), as a Chinese technician has it.
    await page.addInitScript("localStorage.setItem('editor-language', 'zh-CN')");
    await page.goto(parent.url);
    await page.locator('#node-dialog-login-username').fill(TEST_TECHNICIAN.username);
    await page.locator('#node-dialog-login-password').fill(TEST_TECHNICIAN.password);
    await page.locator('#node-dialog-login-submit').click();
    await page.locator('#red-ui-palette-container-memberkiosk').waitFor({ state: 'attached', timeout: 20_000 });
    return { page, pageErrors, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function paletteLabels(page: Page, types: readonly string[]): Promise<Record<string, string>> {
  const labels: Record<string, string> = {};
  for (const type of types) {
    labels[type] = (await page.locator(`#red-ui-palette-container-memberkiosk [data-palette-type="${type}"] .red-ui-palette-label`).innerText()).trim();
  }
  return labels;
}

/** Opens a node's edit dialog and waits for one of its labels. */
async function edit(page: Page, nodeId: string, labelFor: string): Promise<string> {
  // The editor loads the flows after the palette.
  await page.waitForFunction(`!!RED.nodes.node(${JSON.stringify(nodeId)})`, undefined, { timeout: 10_000 });
  await page.evaluate(`RED.editor.edit(RED.nodes.node(${JSON.stringify(nodeId)}))`);
  const label = page.locator(`label[for="${labelFor}"] span`);
  await label.waitFor({ timeout: 10_000 });
  return (await label.innerText()).trim();
}

async function closeDialog(page: Page): Promise<void> {
  await page.locator('#node-dialog-cancel').click();
  await page.locator('#node-dialog-cancel').waitFor({ state: 'detached', timeout: 10_000 });
}

describe('the Node-RED editor with our kiosk nodes (real child, real Chromium)', () => {
  let editor: OpenEditor;

  beforeAll(async () => {
    editor = await openEditor('kiosk', shippedFlow('kiosk', 'tenth-visit-coupon'));
  }, 90_000);

  afterAll(async () => {
    await editor?.close();
  });

  it('shows our six kiosk nodes in the memberkiosk palette category, named in Chinese', async () => {
    expect(await paletteLabels(editor.page, ['mk-card-tap', 'mk-transaction-done', 'mk-device-status', 'mk-print', 'mk-show-message', 'mk-serial-write'])).toEqual({
      'mk-card-tap': '刷卡',
      'mk-transaction-done': '交易完成',
      'mk-device-status': '设备状态',
      'mk-print': '打印',
      'mk-show-message': '显示消息',
      'mk-serial-write': '串口写入',
    });
  });

  it("opens the shipped flow's print node with Chinese labels, and has the Chinese help", async () => {
    expect(await edit(editor.page, 'mk-tenth-visit-coupon-print', 'node-input-title')).toBe('标题');
    expect(await editor.page.locator('#node-input-name').inputValue()).toBe('打印优惠券');
    await closeDialog(editor.page);
    // What the info sidebar shows for the node.
    expect(await editor.page.evaluate<string>("RED.nodes.getNodeHelp('mk-print')")).toContain('用本机的小票打印机打印');
  });

  it('ran our node definitions without a page error', () => {
    expect(editor.pageErrors).toEqual([]);
  });

  it('shows the shipped flow on its tab (screenshot for the docs)', async () => {
    const { page } = editor;
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate("RED.workspaces.show('mk-tenth-visit-coupon')");
    await page.locator('#red-ui-workspace-chart .red-ui-flow-node-group').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('#red-ui-workspace-chart .red-ui-flow-node-group').count()).toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: 'docs/screenshots/node-red-editor-kiosk-zh-CN.png' });
  });
});

describe('the Node-RED editor with our hub nodes (real child, real Chromium)', () => {
  let editor: OpenEditor;

  beforeAll(async () => {
    editor = await openEditor('hub', [...shippedFlow('hub', 'birthday-bonus'), ...shippedFlow('hub', 'churn-alert')]);
  }, 90_000);

  afterAll(async () => {
    await editor?.close();
  });

  it('shows our six hub nodes in the memberkiosk palette category, named in Chinese', async () => {
    expect(await paletteLabels(editor.page, ['mk-ledger-event', 'mk-device-state', 'mk-member', 'mk-grant-points', 'mk-send-message', 'mk-device-command'])).toEqual({
      'mk-ledger-event': '账本事件',
      'mk-device-state': '设备状态',
      'mk-member': '会员',
      'mk-grant-points': '赠送积分',
      'mk-send-message': '发送消息',
      'mk-device-command': '设备指令',
    });
  });

  it("opens the birthday flow's nodes with the rows their options call for", async () => {
    const { page } = editor;
    expect(await edit(page, 'mk-birthday-bonus-members', 'node-input-segment')).toBe('会员群组');
    expect(await page.locator('#node-input-segment').inputValue()).toBe('birthday-today');
    // A segment query shows its fields; the days only for "not seen for some days".
    expect(await page.locator('#node-input-tier').isVisible()).toBe(true);
    expect(await page.locator('#node-input-days').isVisible()).toBe(false);
    await closeDialog(page);

    expect(await edit(page, 'mk-birthday-bonus-grant', 'node-input-points')).toBe('积分');
    expect(await page.locator('#node-input-keyTemplate').inputValue()).toBe('birthday:{{memberId}}:{{year}}');
    expect(await page.locator('#node-input-keyProperty').isVisible()).toBe(false);
    await closeDialog(page);

    expect(await edit(page, 'mk-churn-alert-message', 'node-input-to')).toBe('发给');
    expect(await page.locator('#node-input-to').inputValue()).toBe('storeManagers');
    expect(await page.locator('#node-input-storeId').isVisible()).toBe(true);
    await closeDialog(page);
  });

  it('ran our node definitions without a page error', () => {
    expect(editor.pageErrors).toEqual([]);
  });
});
