/**
 * Redemption codes, points draws, count cards and technician mode on the kiosk screen, in a real browser against
 * a real hub (demo data) and a real kiosk: a label's code checked from the idle screen without a card (防伪查询) and
 * then redeemed once by the member on the code keyboard; a points draw entered from the member's page, its prize
 * shown as the hub's seed decides it; a visit of a count card used; and a technician who signs in with card and PIN sees the machine's state and
 * prints a test page. Each screen is checked at every kiosk size in zh-CN and at one in English and saved to
 * docs/screenshots/.
 */
import type { Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantOutcome } from '../../core/draws/draw-outcome.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { generateCodeBatch } from '../../hub/codes/code-batches.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createDraw } from '../../hub/draws/draw-admin.ts';
import { submitHqTransaction } from '../../hub/hq/hq-transactions.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import { checkEverySize } from './support/check-screen.ts';
import { startScreenHarness, type ScreenHarness } from './support/screen-harness.ts';
import { backToIdle, byTest, DEMO_STORE_NAME, keyIn, publishShop } from './support/screen-steps.ts';
import type { ScreenLocale } from './support/screen-words.ts';
import { seen } from './support/seen.ts';

const GOLD_MEMBER_ID = 'M0003';
const SEED = '5eed'.repeat(16);
const TECH_CARD = 'A5AFF00000E1';
const TECH_PIN = '7531';
/** Data, not the screen's words: names as HQ and the demo hub have them (the draw and its prizes in one language). */
const DATA = ['Zhang Min', DEMO_STORE_NAME, '技术员 Technician', 'Coffee mug', '春季抽奖', '50 积分'];

const DIAMOND_MEMBER_ID = 'M0004';

describe('codes, draws, count cards and technician mode on the kiosk screen in a real browser', () => {
  let h: ScreenHarness | null = null;
  let page: Page;
  let codes: string[] = [];
  const checkAll = (journey: string, required: readonly string[], data: readonly string[] = [], only?: ScreenLocale) =>
    checkEverySize(page, journey, required, [...DATA, ...data], (faults) => expect.soft(faults).toEqual([]), only);
  /** A code being typed is data: its letter groups as the screen shows them. */
  const codeData = (code: string) => [code.replace(/-/g, ''), ...code.split('-')];

  /** Types a code on the screen's code keyboard, as printed on the label (its hyphens are not typed). */
  async function typeCode(code: string): Promise<void> {
    const keys = byTest(page, 'code-keyboard');
    for (const symbol of code.replace(/-/g, '')) await byTest(keys, `code-key-${symbol}`).click();
  }

  beforeAll(async () => {
    h = await startScreenHarness({
      deviceId: 'kiosk-codes',
      tuning: { session: { memberMs: 300_000 } },
      prepareHub: async (hub) => {
        await publishShop(hub);
        // A label's bonus: 100 points for buying a tea, one code per label.
        codes = (await generateCodeBatch(hub.hub.store.codes, { name: 'label-tea', sku: 'TEA-500G', points: 100, count: 2, expiresAt: new Date(Date.now() + 86_400_000).toISOString() }, 'test')).codes;
        await createDraw(
          hub.hub.store.draws,
          {
            drawId: 'spring',
            name: '春季抽奖',
            costPoints: 100,
            closesAt: new Date(Date.now() + 86_400_000).toISOString(),
            noPrizeWeight: 60,
            prizes: [
              { prizeId: 'mug', name: 'Coffee mug', kind: 'gift', weight: 10, stock: 5 },
              { prizeId: 'p50', name: '50 积分', kind: 'points', points: 50, weight: 30, stock: 100 },
            ],
          },
          'test',
          { seedHex: SEED },
        );
        await hub.hub.store.draws.openDraw('spring', new Date().toISOString());
        // A 10-visit car-wash card, sold at HQ's till to the diamond member.
        await hub.hub.store.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, cards: [{ sku: 'WASH-10', serviceId: 'car-wash', punches: 10, validDays: 365 }] });
        const sold = await submitHqTransaction(hub.hub.store, { kind: 'purchase', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.diamond, lines: [{ lineNo: 1, sku: 'WASH-10', category: 'services', qty: 1, unitPriceCents: 30_000 }], payments: [{ method: 'cash', amountCents: 30_000 }] });
        if (sold.status !== 'applied') throw new Error(`selling the count card: ${JSON.stringify(sold)}`);
        const identity = createIdentityService({ store: hub.hub.store.identity, logger: pino({ level: 'silent' }) });
        await identity.addStaff({ name: '技术员 Technician', role: 'technician', storeIds: [DEMO_STORE_ID], cardUid: TECH_CARD, pin: TECH_PIN }, { kind: 'system', id: 'e2e', surface: 'cli' });
      },
      // With Node-RED on, so technician mode shows its panel too.
      nodeRed: { enabled: true, port: 0, credentialSecret: 'screen-test-secret-123', flows: ['tenth-visit-coupon'] },
    });
    page = h.page;
    await seen(page, byTest(page, 'link').getByText('在线', { exact: true }), 'the kiosk online');
  });

  afterAll(async () => {
    const problems = [...(h?.problems ?? [])];
    const audit = await h?.hub.hub.store.audit();
    await h?.dispose();
    expect(problems).toEqual([]);
    expect(audit).toEqual([]);
  });

  it('checks a label’s code from the idle screen without a card: genuine, and checking uses nothing', async () => {
    const code = codes[0]!;
    await byTest(page, 'idle-verify-code').click();
    const verify = await seen(page, byTest(page, 'verify-page'), 'the code check page');
    await typeCode(code);
    await expect(byTest(verify, 'code-input').getAttribute('data-value')).resolves.toBe(code.replace(/-/g, ''));
    await checkAll('verify-code', ['[data-test="verify-submit"]', '[data-test="back"]', '[data-test="code-input"]'], codeData(code));
    await byTest(verify, 'verify-submit').click();
    const verdict = await seen(page, page.locator('[data-test="verify-result"][data-status="genuine"]'), 'the verdict');
    await seen(page, byTest(verdict, 'verify-title').getByText('正品：此码有效', { exact: true }), '"正品：此码有效"');
    await seen(page, verdict.getByText(/可兑换 100 积分/), 'what it is worth');
    await checkAll('verify-code-result', ['[data-test="verify-done"]', '[data-test="verify-another"]', '[data-test="verify-title"]']);
    await byTest(page, 'verify-done').click();
    await seen(page, byTest(page, 'idle'), 'the idle prompt');
  });

  it('redeems the code for the member on the reader once, for 100 points, applied by the hub', async () => {
    const before = (await h!.hub.hub.store.member(GOLD_MEMBER_ID))!.points;
    await h!.tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-code'), 'the code tile')).click();
    const codePage = await seen(page, byTest(page, 'code-page'), 'the code page');
    await typeCode(codes[0]!);
    await checkAll('code', ['[data-test="code-submit"]', '[data-test="back"]', '[data-test="code-input"]'], codeData(codes[0]!));
    await byTest(codePage, 'code-submit').click();
    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('兑换成功，获得 100 积分', { exact: true }), '"兑换成功，获得 100 积分"');
    await expect(byTest(result, 'result-facts').innerText()).resolves.toMatch(/获得积分\s+\+100/);
    expect((await h!.hub.hub.store.member(GOLD_MEMBER_ID))!.points).toBe(before + 100);
    await backToIdle(page, h!.apiUrl);
  });

  it('enters a points draw after a confirmation and shows the prize the hub’s seed gives that entry', async () => {
    const before = (await h!.hub.hub.store.member(GOLD_MEMBER_ID))!.points;
    await h!.tap(DEMO_CARDS.gold);
    await (await seen(page, byTest(page, 'tile-draws'), 'the draws tile')).click();
    const draw = await seen(page, byTest(page, 'draw-spring'), 'the open draw');
    await seen(page, draw.getByText('春季抽奖', { exact: true }), 'its name');
    await seen(page, byTest(draw, 'prize-mug').getByText(/概率 10%/), 'a prize with its odds');
    await checkAll('draws', ['[data-test="draw-enter-spring"]', '[data-test="back"]', '[data-test="draw-spring"]']);
    await byTest(page, 'draw-enter-spring').click();
    const confirm = await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation');
    await seen(page, confirm.getByText(`将使用 100 积分，剩余 ${(before - 100).toLocaleString('en-US')} 积分。结果马上揭晓。`, { exact: true }), 'the cost and what is left');
    await byTest(confirm, 'confirm-yes').click();

    const result = await seen(page, byTest(page, 'result'), 'the result');
    const prize = await seen(page, byTest(result, 'result-prize'), 'the prize, or none');
    // The hub draws from its seed and the entry's transaction id: the screen shows exactly that.
    const txId = ((await (await fetch(`${h!.apiUrl}/session`)).json()) as { session: { receipt?: { txId: string } } }).session.receipt!.txId;
    const expected = instantOutcome(SEED, txId, [{ prizeId: 'mug', weight: 10, stockLeft: 5 }, { prizeId: 'p50', weight: 30, stockLeft: 100 }], 60);
    await expect(prize.getAttribute('data-prize')).resolves.toBe(expected.prizeId ?? '');
    await seen(page, prize.getByText(expected.prizeId === 'mug' ? 'Coffee mug' : expected.prizeId === 'p50' ? '50 积分' : '未中奖', { exact: true }), 'the prize in words');
    await checkAll('draw-result', ['[data-test="done"]', '[data-test="result-prize"]']);
    expect((await h!.hub.hub.store.member(GOLD_MEMBER_ID))!.points).toBe(before - 100 + (expected.prizeId === 'p50' ? 50 : 0));
    await backToIdle(page, h!.apiUrl);
  });

  it('uses one visit of a count card after a confirmation that says how many are left', async () => {
    await h!.tap(DEMO_CARDS.diamond);
    await (await seen(page, byTest(page, 'tile-cards').getByText('1 张次卡'), 'the count-card tile')).click();
    const card = await seen(page, byTest(page, 'card-car-wash'), 'the car-wash card');
    await seen(page, byTest(card, 'card-left-car-wash').getByText('剩余 10 次', { exact: true }), '10 visits left');
    // The service's id is HQ's data: shown as it is named there.
    const serviceShown = (await card.locator('.name').innerText()).trim();
    await checkAll('count-cards', ['[data-test="punch-car-wash"]', '[data-test="back"]'], [serviceShown, 'car-wash']);
    await byTest(card, 'punch-car-wash').click();
    const confirm = await seen(page, byTest(page, 'confirm-sheet'), 'a confirmation');
    await seen(page, confirm.getByText(/现在剩余 10 次，使用后剩 9 次/), 'visits now and after');
    await byTest(confirm, 'confirm-yes').click();
    const result = await seen(page, byTest(page, 'result'), 'the result');
    await seen(page, byTest(result, 'result-title').getByText('已使用一次，请向店员出示', { exact: true }), '"已使用一次，请向店员出示"');
    expect((await h!.hub.hub.store.memberViewById(DIAMOND_MEMBER_ID, 1))!.serviceCards).toMatchObject([{ serviceId: 'car-wash', punchesLeft: 9 }]);
    await backToIdle(page, h!.apiUrl);
  });

  it('shows a technician the machine’s state instead of the member prompt, and prints a test page', async () => {
    await h!.tap(TECH_CARD);
    const pad = await seen(page, byTest(page, 'staff-pin'), 'the PIN pad for the technician’s card');
    await keyIn(pad, TECH_PIN);
    await byTest(pad, 'pin-ok').click();
    const tech = await seen(page, byTest(page, 'technician'), 'the technician page');
    await seen(page, byTest(tech, 'tech-reader').getByText('正常'), 'the reader ready');
    await seen(page, byTest(tech, 'tech-link').getByText('已连接'), 'the hub connected');
    await seen(page, byTest(tech, 'tech-node-red').getByText('运行中'), 'Node-RED running');
    // The machine's own names are data here: models, ports, ids, the hub's address, the software version.
    const d = (await (await fetch(`${h!.apiUrl}/technician/diagnostics`)).json()) as { deviceId: string; storeId: string; softwareVersion: string; enrolled: { hubUrl: string }; hardware: { reader: { model: string; port?: string }; printer: { model: string; port?: string } | null }; nodeRed: { editorUrl: string | null } | null };
    const machine = [d.deviceId, d.storeId, d.softwareVersion, d.enrolled.hubUrl, d.hardware.reader.model, d.hardware.reader.port ?? '', d.hardware.printer?.model ?? '', d.hardware.printer?.port ?? '', d.nodeRed?.editorUrl ?? ''].filter(Boolean);
    await checkAll('technician', ['[data-test="tech-test-print"]', '[data-test="tech-sign-out"]', '[data-test="tech-panels"]'], machine);

    // The simulated printer prints at once: the outcome says so, in words.
    await byTest(tech, 'tech-test-print').click();
    await seen(page, byTest(tech, 'test-print-outcome').getByText('测试页已打印', { exact: true }), 'the test page printed');
    await byTest(tech, 'tech-sign-out').click();
    await seen(page, byTest(page, 'idle-title').getByText('请刷会员卡', { exact: true }), 'the member prompt again');
  });
});
