/**
 * A message over the kiosk screen, in a real browser against a real hub and kiosk: HQ's `show-message` command goes
 * out through the hub's command sender (hub/automation/device-commands.ts) on the embedded broker, the kiosk's link
 * takes it, and the screen shows a banner at the top over whatever is on show — the idle prompt, a member's screen —
 * in zh-CN, or in English when the screen is (falling back to the zh-CN text), in its tone's colours. The banner
 * never takes a touch: a tap on it reaches the page below. It goes after its seconds, and a page that reloads while
 * it is up shows it again. A kiosk flow's `show message` (kiosk.showMessage) puts up the very same banner.
 *
 * Checked at every kiosk size in zh-CN and at one in English, saved as docs/screenshots/kiosk-flow-message-*.png.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { createDeviceCommandSender, type SendDeviceCommand } from '../../hub/automation/device-commands.ts';
import { checkEverySize } from './support/check-screen.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { backToIdle, byTest, DEMO_STORE_NAME, useLocale } from './support/screen-steps.ts';
import { seen } from './support/seen.ts';

const KIOSK = 'kiosk-flow-message';
const WELCOME = { 'zh-CN': '感谢光临！本周会员日，咖啡第二杯半价', en: 'Thank you for visiting! Member week: second coffee half price' };

/** What is at the banner's centre for a tap: the element a touch there reaches, and whether it is inside the banner. */
async function tapTarget(page: Page): Promise<{ inBanner: boolean; box: { top: number; bottom: number; left: number; right: number } }> {
  return page.evaluate<{ inBanner: boolean; box: { top: number; bottom: number; left: number; right: number } }>(`(() => {
    const banner = document.querySelector('[data-test="flow-message"]');
    const b = banner.getBoundingClientRect();
    const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
    return { inBanner: !!hit && banner.contains(hit), box: { top: b.top, bottom: b.bottom, left: b.left, right: b.right } };
  })()`);
}

describe('a flow’s or HQ’s message over the kiosk screen (real hub, kiosk and Chromium)', () => {
  let h: ScreenHarness | null = null;
  let page: Page;
  let hubClient: MqttClient | null = null;
  let send: SendDeviceCommand;
  const data = [DEMO_STORE_NAME, 'Zhang Min'];

  beforeAll(async () => {
    h = await startScreenHarness({ deviceId: KIOSK, tuning: { session: { memberMs: 600_000 } } });
    page = h.page;
    await seen(page, byTest(page, 'link').getByText('在线', { exact: true }), 'the kiosk online');
    // HQ's side: a client with the hub's rights, sending as the hub's `device command` node does.
    hubClient = await mqtt.connectAsync(h.hub.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0, clientId: 'hq-flows', ...h.hub.hub.embeddedBrokerCredentials! });
    send = createDeviceCommandSender(hubClient, createTopics());
  });

  afterAll(async () => {
    const problems = [...(h?.problems ?? [])];
    await hubClient?.endAsync(true);
    await h?.dispose();
    expect(problems).toEqual([]);
  });

  it('shows HQ’s message at the top of the idle screen, in each language, without taking a touch', async () => {
    await send(KIOSK, { command: 'show-message', args: { text: WELCOME, seconds: 60, tone: 'success' } });
    const banner = await seen(page, byTest(page, 'flow-message'), 'the banner');
    await expect(byTest(banner, 'flow-message-text').innerText()).resolves.toBe(WELCOME['zh-CN']);
    await expect(banner.getAttribute('data-tone')).resolves.toBe('success');
    // Across the top, over the header's band: the page below stays in sight (measured once its drop-in has played).
    await page.waitForTimeout(400);
    const { inBanner, box } = await tapTarget(page);
    expect(inBanner, 'a tap on the banner reaches what is under it').toBe(false);
    const header = await page.evaluate<number>('document.querySelector("header.app-header").getBoundingClientRect().bottom');
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.bottom).toBeLessThanOrEqual(header + 1);

    // The message's words are in the screen's language: no data to set aside for the language check.
    await checkEverySize(page, 'flow-message', ['[data-test="idle-title"]', '[data-test="lang-en"]'], data, (faults) => expect.soft(faults).toEqual([]));
    // The English screen shows the English words.
    await useLocale(page, 'en');
    await expect(byTest(page, 'flow-message-text').innerText()).resolves.toBe(WELCOME.en);
    await useLocale(page, 'zh-CN');
  });

  it('stays over a member’s screen, whose buttons still take taps through it', async () => {
    await h!.tap(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'member-name').getByText('Zhang Min', { exact: true }), 'the member');
    await send(KIOSK, { command: 'show-message', args: { text: { 'zh-CN': '打印纸即将用完，请联系店员', en: 'Receipt paper is running low: please ask staff' }, seconds: 60, tone: 'warning' } });
    const banner = await seen(page, byTest(page, 'flow-message').and(page.locator('[data-tone="warning"]')), 'the warning banner');
    await expect(byTest(banner, 'flow-message-text').innerText()).resolves.toBe('打印纸即将用完，请联系店员');
    await checkEverySize(page, 'flow-message-member', ['[data-test="tile-pay"]', '[data-test="member-name"]'], data, (faults) => expect.soft(faults).toEqual([]));
    // A tap on the banner reaches the member's page under it; the page's own buttons work as ever.
    const { inBanner } = await tapTarget(page);
    expect(inBanner).toBe(false);
    await byTest(page, 'tile-pay').click();
    await seen(page, byTest(page, 'back'), 'the pay page, opened with the banner up');
    await backToIdle(page, h!.apiUrl);
  });

  it('falls back to the zh-CN words on an English screen, goes after its seconds, and comes back on a page reload while up', async () => {
    await useLocale(page, 'en');
    await send(KIOSK, { command: 'show-message', args: { text: '仅中文的消息', seconds: 3 } });
    const banner = await seen(page, byTest(page, 'flow-message').and(page.locator('[data-tone="info"]')), 'the info banner');
    await expect(byTest(banner, 'flow-message-text').innerText()).resolves.toBe('仅中文的消息');
    await expect(byTest(banner, 'flow-message-text').getAttribute('lang')).resolves.toBe('zh-CN');
    const shownAt = Date.now();
    await byTest(page, 'flow-message').waitFor({ state: 'detached', timeout: 6_000 });
    expect(Date.now() - shownAt).toBeGreaterThan(1_500);
    await useLocale(page, 'zh-CN');

    await send(KIOSK, { command: 'show-message', args: { text: '重新连接后仍显示', seconds: 30 } });
    await seen(page, byTest(page, 'flow-message-text').getByText('重新连接后仍显示', { exact: true }), 'the banner');
    await page.reload();
    await seen(page, byTest(page, 'flow-message-text').getByText('重新连接后仍显示', { exact: true }), 'the banner again after the reload');
    // A newer message replaces it at once.
    await send(KIOSK, { command: 'show-message', args: { text: '新的消息', seconds: 5 } });
    await seen(page, byTest(page, 'flow-message-text').getByText('新的消息', { exact: true }), 'the newer message');
    await expect(byTest(page, 'flow-message').count()).resolves.toBe(1);
  });
});
