/**
 * The kiosk's shipped flows in the real Node-RED child (real FlowRuntime, our kiosk nodes, flows.json as shipped),
 * with the recording stand-in for the kiosk: card taps go in as the kiosk sends them, prints and screen messages are
 * the calls it records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardTapEvent } from '../runtime/protocol.ts';
import { RecordingFlowParent, shippedFlow, writeFlows } from '../testing/recording-flow-parent.ts';

const FLOW_ID = 'mk-tenth-visit-coupon';
const HOUR = 3_600_000;
/** The first tap's time; later taps are hours apart (the flow counts by the tap's own time). */
const T0 = Date.parse('2025-03-01T02:00:00.000Z');

function memberTap(memberId: string, at: number): CardTapEvent {
  return { at: new Date(at).toISOString(), kind: 'member', memberId, tier: 'silver', cardMasked: '********0001', deviceId: 'K-001', storeId: 'store-001' };
}

/** The coupon code the flow derives: FNV-1a of "<member>:<count>", base 36 (the same member and count, the same code). */
function expectedCouponCode(memberId: string, count: number): string {
  let hash = 0x811c9dc5;
  for (const ch of `${memberId}:${count}`) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `TY${count}-${hash.toString(36).toUpperCase().padStart(7, '0')}`;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('kiosk shipped flow tenth-visit-coupon', () => {
  let dir: string;
  let parent: RecordingFlowParent;
  const answers = { 'kiosk.print': () => ({ printed: true }), 'kiosk.showMessage': () => ({ shown: true }) };

  async function visitsOf(memberId: string): Promise<number | undefined> {
    const visits = (await parent.flowContext(FLOW_ID, 'visits')) as Record<string, { count: number }> | undefined;
    return visits?.[memberId]?.count;
  }

  async function waitForVisits(memberId: string, count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await visitsOf(memberId)) !== count) {
      if (Date.now() > deadline) throw new Error(`${memberId} has ${await visitsOf(memberId)} visits counted, not ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-kiosk-flows-'));
    writeFlows(dir, shippedFlow('kiosk', 'tenth-visit-coupon'));
    parent = new RecordingFlowParent({ host: 'kiosk', userDir: dir, answers });
    await parent.start();
  }, 60_000);

  afterAll(async () => {
    await parent.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints nothing up to the 9th visit, counting a tap within 30 minutes of the last counted one as the same visit', async () => {
    for (let visit = 0; visit < 9; visit += 1) {
      parent.emit('card-tap', memberTap('M-1', T0 + visit * 2 * HOUR));
      // Queuing twice, checking the balance first: 10 and 29 minutes after a counted tap are the same visit.
      if (visit === 3) parent.emit('card-tap', memberTap('M-1', T0 + visit * 2 * HOUR + 10 * 60_000));
      if (visit === 5) parent.emit('card-tap', memberTap('M-1', T0 + visit * 2 * HOUR + 29 * 60_000));
    }
    // Staff and unknown cards are no visits; another member's taps are counted apart.
    parent.emit('card-tap', { ...memberTap('M-1', T0 + 19 * HOUR), kind: 'staff', memberId: null, tier: null });
    parent.emit('card-tap', memberTap('M-2', T0 + 19 * HOUR));

    await waitForVisits('M-2', 1);
    expect(await visitsOf('M-1')).toBe(9);
    await settle();
    expect(parent.calls).toEqual([]);
  });

  it("keeps the count across a restart and prints a coupon derived from the member and the count on the 10th visit", async () => {
    await parent.stop();
    parent = new RecordingFlowParent({ host: 'kiosk', userDir: dir, answers });
    await parent.start();
    expect(await visitsOf('M-1')).toBe(9);

    parent.emit('card-tap', memberTap('M-1', T0 + 20 * HOUR));
    const [printed] = await parent.waitForCalls('kiosk.print', 1);
    const code = expectedCouponCode('M-1', 10);
    expect(printed?.params).toEqual({
      title: '感谢您的光临',
      lines: ['这是您第 10 次光临本店', '下次到店出示此券可享会员优惠', '（详情请咨询店员）', `券码：${code}`, expect.stringMatching(/^日期：2025-03-0\d$/)],
      qr: code,
    });
    const [shown] = await parent.waitForCalls('kiosk.showMessage', 1);
    expect(shown?.params).toEqual({ text: { 'zh-CN': '感谢您第 10 次光临！请取走您的优惠券。', en: 'Thank you for visit number 10! Please take your coupon.' }, seconds: 8, tone: 'success' });

    // The 11th visit prints nothing; the 20th prints again, with another code.
    parent.emit('card-tap', memberTap('M-1', T0 + 22 * HOUR));
    for (let visit = 12; visit <= 20; visit += 1) parent.emit('card-tap', memberTap('M-1', T0 + visit * 2 * HOUR));
    const prints = await parent.waitForCalls('kiosk.print', 2);
    expect((prints[1]?.params as { qr: string }).qr).toBe(expectedCouponCode('M-1', 20));
    await settle();
    expect(parent.callsTo('kiosk.print')).toHaveLength(2);
    expect(await visitsOf('M-1')).toBe(20);
  }, 60_000);
});
