/**
 * The kiosk screen tells the truth about the machine, in a real browser against a real hub and kiosk:
 *
 * - on the real drivers (a serial card reader on a socat pty pair, an ESC/POS printer over TCP answering status
 *   requests from a paper state the test sets — drivers/testing's fake printer is the paper, the driver is real):
 *   a reader unplugged is shown and the idle prompt stops inviting a tap; a printer out of paper is shown, a
 *   purchase still completes, the result says no receipt was printed and why, and with paper back nothing comes
 *   out later for whoever stands there;
 * - the hub away: the cached member with the offline limits in plain words, a purchase saved to send later, and
 *   with the hub back the balance confirmed by it;
 * - the member session's countdown: shown, "still here" extends it, and when it ends nothing of the member is
 *   left in the page.
 *
 * Honest screens are journeys too: each is checked at every kiosk size in zh-CN and at one in English, and saved
 * to docs/screenshots/.
 */
import type { Page } from 'playwright-core';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTcpPrinter } from '../../drivers/testing/fake-printer.ts';
import { SocatPtyPair } from '../../drivers/testing/socat-pty-pair.ts';
import { DEMO_CARDS, DEMO_STAFF_CARD, DEMO_STAFF_PIN } from '../../hub/demo/seed-demo-data.ts';
import { checkEverySize as checkAll, checkScreen } from './support/check-screen.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { SIZE_LOCALES } from './support/screen-shots.ts';
import { backToIdle, byTest, DEMO_STORE_NAME, keyIn, publishShop, useLocale } from './support/screen-steps.ts';
import { seen } from './support/seen.ts';

const GOLD_MEMBER_ID = 'M0003';
const DATA = ['Zhang Min', DEMO_STORE_NAME];

/** Checks the screen on show at every size and language, saved as `journey`. */
const checkEverySize = (page: Page, journey: string, required: readonly string[]) => checkAll(page, journey, required, DATA, (faults) => expect.soft(faults).toEqual([]));

function openSerial(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  return new Promise((resolve, reject) => port.open((error) => (error ? reject(error) : resolve(port))));
}

function closeSerial(port: SerialPort | null): Promise<void> {
  if (!port?.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}

describe('honest hardware state on the kiosk screen (serial reader on a pty, ESC/POS printer over TCP, real hub)', () => {
  let h: ScreenHarness | null = null;
  let page: Page;
  let pty: SocatPtyPair | null = null;
  let printer: FakeTcpPrinter | null = null;
  let cardEnd: SerialPort | null = null;
  /** The purchase whose receipt the printer, out of paper, did not print. */
  let unprintedTxId = '';

  let lastTapAt = 0;

  /**
   * A card held to the real reader: its UID line on the serial port. The reader takes silence longer than its hold
   * gap (600 ms) as the card taken away, so a second tap of the same card comes after that, as a person's would.
   */
  async function tapOnReader(uid: string): Promise<void> {
    const wait = lastTapAt + 800 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await new Promise<void>((resolve, reject) => cardEnd!.write(`${uid}\r\n`, (error) => (error ? reject(error) : cardEnd!.drain(() => resolve()))));
    lastTapAt = Date.now();
  }

  beforeAll(async () => {
    printer = new FakeTcpPrinter();
    await printer.listen();
    pty = new SocatPtyPair('screen-reader');
    await pty.start();
    cardEnd = await openSerial(pty.devicePath);
    h = await startScreenHarness({
      deviceId: 'kiosk-honest-hw',
      prepareHub: publishShop,
      hardware: {
        reader: { kind: 'serial', path: pty.driverPath, baudRate: 9600, framing: 'lines' },
        printer: { kind: 'tcp', host: '127.0.0.1', port: printer.port },
        paperWidthMm: 58,
        language: 'zh',
      },
      tuning: { printWindowMs: 3_000, session: { memberMs: 600_000 } },
    });
    page = h.page;
    await seen(page, byTest(page, 'link').getByText('在线', { exact: true }), 'the kiosk online');
  });

  afterAll(async () => {
    const problems = [...(h?.problems ?? [])];
    await h?.dispose();
    await closeSerial(cardEnd);
    await pty?.dispose();
    await printer?.close();
    expect(problems).toEqual([]);
  });

  it('a reader unplugged is shown, and the idle prompt stops inviting a tap; plugged back, a tap reads again', async () => {
    await seen(page, byTest(page, 'idle-title').getByText('请刷会员卡', { exact: true }), 'the idle prompt with a reader');
    // No demo tap on a kiosk with a real reader.
    await expect(byTest(page, 'demo-tap').count()).resolves.toBe(0);
    await expect(byTest(page, 'reader-state').count()).resolves.toBe(0);

    await closeSerial(cardEnd);
    cardEnd = null;
    await pty!.stop();
    await seen(page, byTest(page, 'reader-state').getByText('读卡器未连接', { exact: true }), 'the reader missing, in the header');
    await seen(page, byTest(page, 'idle-title').getByText('暂时无法刷卡', { exact: true }), 'the idle prompt saying cards cannot be read');
    await expect(page.locator('body').innerText()).resolves.not.toContain('请刷会员卡');
    await checkEverySize(page, 'reader-missing', ['[data-test="idle-title"]', '[data-test="reader-state"]']);

    await pty!.start();
    cardEnd = await openSerial(pty!.devicePath);
    await seen(page, byTest(page, 'idle-title').getByText('请刷会员卡', { exact: true }), 'the idle prompt again, the reader back');
    await expect(byTest(page, 'reader-state').count()).resolves.toBe(0);
    await tapOnReader(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'member-name').getByText('Zhang Min', { exact: true }), 'the member, read by the reader plugged back');
    await backToIdle(page, h!.apiUrl);
  });

  it('a printer out of paper is shown; a purchase completes, says no receipt was printed and why, and nothing prints later', async () => {
    printer!.state.paperOut = true;
    await seen(page, byTest(page, 'printer-state').getByText('打印机缺纸', { exact: true }), 'the printer out of paper, in the header');
    const before = (await h!.hub.hub.store.memberViewById(GOLD_MEMBER_ID, 1))!.balances.storedValueCents;

    await tapOnReader(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-pay'), 'the member')).click();
    await byTest(page, 'item-COFFEE').click();
    await (await seen(page, byTest(page, 'pay').getByText('支付 ¥3.50', { exact: true }), 'the pay button')).click();
    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('支付成功', { exact: true }), 'the payment done all the same');
    await seen(page, byTest(result, 'print-state').getByText('小票未打印（打印机缺纸）。交易已记录，不会稍后自动打印；需要小票请找店员补打。', { exact: true }), 'no receipt, why, and that it will not print later');
    await expect(result.innerText()).resolves.not.toContain('小票已打印');
    unprintedTxId = ((await (await fetch(`${h!.apiUrl}/session`)).json()) as { session: { receipt: { txId: string } } }).session.receipt.txId;
    expect((await h!.hub.hub.store.memberViewById(GOLD_MEMBER_ID, 1))!.balances.storedValueCents).toBe(before - 350);
    await checkEverySize(page, 'receipt-not-printed', ['[data-test="done"]', '[data-test="print-state"]', '[data-test="printer-state"]']);

    await byTest(result, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt: the member has gone');
    // Paper back: nothing comes out for whoever stands at the kiosk now.
    printer!.state.paperOut = false;
    await byTest(page, 'printer-state').waitFor({ state: 'detached', timeout: 8_000 });
    await page.waitForTimeout(3_000);
    expect(printer!.decoder.events.filter((e) => e.kind === 'cut')).toEqual([]);
  });

  it('a staff member reprints that receipt on purpose, from the staff banner, and it prints for them', async () => {
    expect(unprintedTxId).not.toBe('');
    await tapOnReader(DEMO_STAFF_CARD);
    const pad = await seen(page, byTest(page, 'staff-pin'), 'the PIN pad');
    await keyIn(pad, DEMO_STAFF_PIN);
    await byTest(pad, 'pin-ok').click();
    await (await seen(page, byTest(page, 'staff-who'), 'the staff banner')).click();
    const sheet = await seen(page, byTest(page, 'staff-sheet'), 'the staff sheet with the recent receipts');
    const row = await seen(page, byTest(sheet, `reprint-${unprintedTxId}`), 'the receipt not printed, in the list');
    await seen(page, row.getByText('未打印', { exact: true }), 'marked as not printed');
    await row.click();
    await byTest(await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation'), 'confirm-yes').click();
    await seen(page, byTest(sheet, 'reprint-outcome').getByText('已补打，请取走小票。', { exact: true }), 'the reprint done, in words');
    await printer!.waitForCut(1);
    expect(printer!.cuts).toHaveLength(1);
    // The paper says it is a reprint, so nobody takes it for a second purchase.
    expect(printer!.decoder.lines().map((l) => l.text).join('\n')).toContain('重印');
    await byTest(sheet, 'staff-sheet-sign-out').click();
    await byTest(page, 'staff-banner').waitFor({ state: 'detached' });
  });
});

describe('the hub away and back, and the member session’s countdown, on the kiosk screen (real hub, real kiosk)', () => {
  let h: ScreenHarness | null = null;
  let page: Page;

  beforeAll(async () => {
    // A short member session (20 s) so its end can be watched; the sheet asks in its last 15 s.
    h = await startScreenHarness({ deviceId: 'kiosk-honest-hub', prepareHub: publishShop, tuning: { session: { memberMs: 20_000 } } });
    page = h.page;
    await seen(page, byTest(page, 'link').getByText('在线', { exact: true }), 'the kiosk online');
  });

  afterAll(async () => {
    const problems = [...(h?.problems ?? [])];
    await h?.dispose();
    expect(problems).toEqual([]);
  });

  it('hub stopped: the cached member, marked offline, with the offline limits in plain words', async () => {
    // Seen once with the hub: the kiosk caches the member.
    await h!.tap(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'stored-value').getByText('¥1,000.00', { exact: true }), 'the member, live');
    await backToIdle(page, h!.apiUrl);

    await h!.pauseHub();
    await seen(page, byTest(page, 'link').getByText('离线', { exact: true }), 'the kiosk offline, in the header');
    await h!.tap(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'offline-balance').getByText(/^本机离线 · 余额截至 /), 'the balance marked offline, with its age');
    const home = await page.locator('body').innerText();
    await byTest(page, 'tile-pay').click();
    await byTest(page, 'item-COFFEE').click();
    await seen(page, byTest(page, 'total').getByText('¥3.50', { exact: true }), 'the basket');
    const payPage = await page.locator('body').innerText();
    await backToIdle(page, h!.apiUrl);
    // HQ's offline limit for a card (by default ¥500.00 of stored value a day), said in plain words where the member
    // decides to pay: on their home or on the pay page.
    expect(`${home}\n${payPage}`, 'the offline limit, in yuan, on the member’s home or the pay page').toContain('¥500.00');
  });

  it('a purchase with the hub away is saved to send later; hub back: the balance is the one the hub confirms', async () => {
    if (await byTest(page, 'link').getByText('在线', { exact: true }).isVisible()) await h!.pauseHub();
    await seen(page, byTest(page, 'link').getByText('离线', { exact: true }), 'the kiosk offline, in the header');
    await h!.tap(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'offline-balance'), 'the cached member');
    await byTest(page, 'tile-pay').click();
    await byTest(page, 'item-COFFEE').click();
    await (await seen(page, byTest(page, 'pay').getByText('支付 ¥3.50', { exact: true }), 'the pay button')).click();
    const result = await seen(page, byTest(page, 'result').and(page.locator('[data-status="queued"]')), 'the purchase saved to send later');
    await seen(page, byTest(result, 'result-title').getByText('已保存，联网后自动提交', { exact: true }), '"已保存，联网后自动提交"');
    await seen(page, byTest(page, 'queued').getByText('1 笔待上传', { exact: true }), 'one transaction waiting, in the header');
    await byTest(result, 'done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');

    await h!.resumeHub();
    await seen(page, byTest(page, 'link').getByText('在线', { exact: true }), 'the kiosk online again');
    await byTest(page, 'queued').waitFor({ state: 'detached', timeout: 10_000 });
    await h!.tap(DEMO_CARDS.gold);
    // The hub applied what the kiosk saved: the balance it answers, not the cache's.
    await seen(page, byTest(page, 'stored-value').getByText('¥996.50', { exact: true }), 'the balance confirmed by the hub');
    await expect(byTest(page, 'offline-balance').count()).resolves.toBe(0);
    expect((await h!.hub.hub.store.memberViewById(GOLD_MEMBER_ID, 1))!.balances.storedValueCents).toBe(99_650);
    await backToIdle(page, h!.apiUrl);
  });

  it('shows the session countdown, asks "您还在吗？" near the end, extends on "继续使用", and leaves nothing of the member when it ends', async () => {
    const secondsLeft = async () => {
      const text = await byTest(page, 'countdown').innerText();
      const match = /^(\d+) 秒$/.exec(text.trim());
      if (!match) throw new Error(`countdown reads ${JSON.stringify(text)}`);
      return Number(match[1]);
    };
    const sessionExpiry = async () => ((await (await fetch(`${h!.apiUrl}/session`)).json()) as { session: { expiresAt: string | null } }).session.expiresAt;

    await h!.tap(DEMO_CARDS.gold);
    await seen(page, byTest(page, 'countdown'), 'the countdown in the header');
    const first = await secondsLeft();
    expect(first).toBeGreaterThan(15);
    // The session's 20 s, give or take the second a rounded-up count and the kiosk's hub-corrected clock add.
    expect(first).toBeLessThanOrEqual(21);
    await page.waitForTimeout(1_500);
    expect(await secondsLeft()).toBeLessThan(first);

    // The last 15 seconds: the sheet asks, at every size; checked in Chinese (a touch on the language switch would
    // extend the session).
    const sheet = await seen(page, byTest(page, 'countdown-sheet'), 'the "still there?" sheet');
    await seen(page, sheet.getByText('您还在吗？', { exact: true }), '"您还在吗？"');
    await seen(page, sheet.getByText(/^为保护您的信息，\d+ 秒后将自动退出。$/), 'when it will end, in words');
    for (const { size, locale } of SIZE_LOCALES.filter((s) => s.locale === 'zh-CN')) {
      await page.setViewportSize(size);
      expect.soft(await checkScreen(page, { journey: 'still-here', size, locale, required: ['[data-test="still-here"]'], data: DATA })).toEqual([]);
    }
    await page.setViewportSize(SIZE_LOCALES[1]!.size);
    const expiryBefore = await sessionExpiry();
    await byTest(sheet, 'still-here').click();
    await byTest(page, 'countdown-sheet').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await secondsLeft()).toBeGreaterThan(15);
    expect(Date.parse((await sessionExpiry())!)).toBeGreaterThan(Date.parse(expiryBefore!));

    // Nobody touches the screen any more: the session ends on its own.
    await seen(page, byTest(page, 'countdown-sheet'), 'the sheet again, nobody touching');
    await page.locator('[data-test="idle"]').waitFor({ state: 'visible', timeout: 25_000 });
    const text = await page.locator('body').innerText();
    const html = await page.evaluate<string>('document.documentElement.outerHTML');
    for (const trace of ['Zhang Min', '¥996.50', '1,205', '**********E5F6', '积分将于']) {
      expect(text, `"${trace}" left on screen`).not.toContain(trace);
      expect(html, `"${trace}" left in the page`).not.toContain(trace);
    }
    await expect(byTest(page, 'countdown').count()).resolves.toBe(0);
    await expect(page.evaluate('localStorage.length + sessionStorage.length')).resolves.toBe(0);
  });

  it('asks "Are you still there?" in English for a member who chose English', async () => {
    await useLocale(page, 'en');
    await h!.tap(DEMO_CARDS.gold);
    const sheet = await seen(page, byTest(page, 'countdown-sheet'), 'the "still there?" sheet');
    await seen(page, sheet.getByText('Are you still there?', { exact: true }), '"Are you still there?"');
    const size = SIZE_LOCALES.find((s) => s.locale === 'en')!.size;
    await page.setViewportSize(size);
    expect.soft(await checkScreen(page, { journey: 'still-here', size, locale: 'en', required: ['[data-test="still-here"]'], data: DATA })).toEqual([]);
    await backToIdle(page, h!.apiUrl);
  });
});
