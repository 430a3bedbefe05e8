/**
 * The hub's shipped flows in the real Node-RED child (real FlowRuntime, our hub nodes, the six flows as shipped),
 * with the recording stand-in for the hub: it answers the member segments each flow asks for and records the points
 * grants and messages the flows make — their params (keys, texts, consent) are what the flows are responsible for;
 * that a key grants once and consent is honoured is the hub's, tested with its ledger and sender.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceStateEvent, MemberSegmentParams, MemberSummary, MessageSendParams, PointsGrantParams } from '../runtime/protocol.ts';
import { RecordingFlowParent, shippedFlow, writeFlows, type RecordedCall } from '../testing/recording-flow-parent.ts';

// The chain's zone, in this test process and (FlowRuntime passes TZ on) in the Node-RED child: {{year}} and {{date}}.
process.env['TZ'] = 'Asia/Shanghai';

const HUB_FLOWS = ['birthday-bonus', 'anniversary-reminder', 'consumption-reminder', 'churn-alert', 'low-paper-alert', 'segment-campaign'];

function today(): { year: string; date: string } {
  const now = new Date();
  const year = String(now.getFullYear());
  return { year, date: `${year}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}` };
}

function yearsAgo(years: number): string {
  const when = new Date();
  when.setFullYear(when.getFullYear() - years);
  return when.toISOString();
}

function member(memberId: string, name: string, fields: Partial<MemberSummary> = {}): MemberSummary {
  return { memberId, name, tier: 'silver', homeStoreId: 'store-001', points: 0, storedValueCents: 0, joinedAt: yearsAgo(2), birthday: null, lastSeenAt: null, marketingConsent: true, ...fields };
}

/** The members the stand-in hub finds for each query the flows make. */
function segment(params: unknown): { members: MemberSummary[]; truncated: boolean } {
  const query = params as MemberSegmentParams;
  const found = (members: MemberSummary[]) => ({ members, truncated: false });
  switch (query.segment) {
    case 'birthday-today':
      return found([member('M-1', '王芳'), member('M-2', '李雷', { marketingConsent: false })]);
    case 'anniversary-today':
      return found([member('M-3', '韩梅梅', { joinedAt: yearsAgo(3) }), member('M-4', '新会员', { joinedAt: new Date().toISOString() })]);
    case 'inactive':
      if (query.days === 30) {
        return found([
          member('M-5', '张伟', { storedValueCents: 1234, lastSeenAt: '2025-01-02T03:04:05.000Z' }),
          member('M-6', '刘洋', { storedValueCents: 5, lastSeenAt: '2025-01-03T03:04:05.000Z' }),
          member('M-7', '陈静', { storedValueCents: 100000, lastSeenAt: null, joinedAt: '2024-06-01T00:00:00.000Z' }),
        ]);
      }
      return found([member('M-8', 'A', { homeStoreId: 'store-001' }), member('M-9', 'B', { homeStoreId: 'store-002' }), member('M-10', 'C', { homeStoreId: 'store-001' })]);
    case 'all':
      return found([member('M-11', '赵敏', { tier: 'gold' }), member('M-12', '周芷若', { tier: 'gold' })]);
  }
}

const byMember = (a: RecordedCall, b: RecordedCall) => JSON.stringify(a.params).localeCompare(JSON.stringify(b.params));
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('hub shipped flows', () => {
  let dir: string;
  let parent: RecordingFlowParent;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-hub-flows-'));
    writeFlows(dir, HUB_FLOWS.flatMap((name) => shippedFlow('hub', name)));
    parent = new RecordingFlowParent({
      host: 'hub',
      userDir: dir,
      answers: {
        'member.segment': segment,
        'points.grant': (params) => ({ status: 'granted', txId: `tx-${(params as PointsGrantParams).idempotencyKey}`, points: (params as PointsGrantParams).points }),
        'message.send': (params) => ({ status: 'sent', messageId: `m-${(params as MessageSendParams).idempotencyKey}` }),
      },
    });
    await parent.start();
  }, 60_000);

  afterAll(async () => {
    await parent.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    parent.calls.length = 0;
  });

  async function inject(nodeId: string): Promise<void> {
    const response = await parent.admin(`inject/${nodeId}`, { method: 'POST', json: {} });
    expect(response.status).toBe(200);
  }

  it('loads our six hub nodes, with labels in Chinese and English', async () => {
    const sets = (await (await parent.admin('nodes', { headers: { accept: 'application/json' } })).json()) as { id: string; module: string; types: string[]; enabled: boolean; err?: string }[];
    expect(sets.filter((set) => set.module === '@memberkiosk/hub-nodes').map((set) => ({ types: set.types, enabled: set.enabled, err: set.err }))).toEqual(
      ['ledger-event', 'device-state', 'member', 'grant-points', 'send-message', 'device-command'].map((name) => ({ types: [`mk-${name}`], enabled: true, err: undefined })),
    );
    const zh = (await (await parent.admin('nodes/@memberkiosk/hub-nodes/grant-points/messages?lng=zh-CN')).json()) as { 'grant-points': { paletteLabel: string } };
    const en = (await (await parent.admin('nodes/@memberkiosk/hub-nodes/grant-points/messages?lng=en-US')).json()) as { 'grant-points': { paletteLabel: string } };
    expect([zh['grant-points'].paletteLabel, en['grant-points'].paletteLabel]).toEqual(['赠送积分', 'grant points']);
    const flows = (await (await parent.admin('flows')).json()) as { id: string; type: string }[];
    expect(flows.filter((node) => node.type === 'tab').map((node) => node.id)).toEqual(HUB_FLOWS.map((name) => `mk-${name}`));
  });

  it('birthday-bonus grants 200 points and sends a birthday message to each birthday member, with a key per member and year', async () => {
    const { year } = today();
    await inject('mk-birthday-bonus-daily');
    const grants = (await parent.waitForCalls('points.grant', 2)).sort(byMember);
    const messages = (await parent.waitForCalls('message.send', 2)).sort(byMember);
    expect(parent.callsTo('member.segment').map((call) => call.params)).toEqual([{ segment: 'birthday-today', limit: 5000 }]);
    expect(grants.map((call) => call.params)).toEqual([
      { memberId: 'M-1', points: 200, reason: '生日积分', idempotencyKey: `birthday:M-1:${year}` },
      { memberId: 'M-2', points: 200, reason: '生日积分', idempotencyKey: `birthday:M-2:${year}` },
    ]);
    // Marketing: the hub sends it only to a member who consents (M-2 does not); the flow says what it is.
    expect(messages.map((call) => call.params)).toEqual([
      { to: { memberId: 'M-1' }, purpose: 'marketing', text: '亲爱的王芳，祝您生日快乐！我们已为您赠送 200 生日积分，欢迎到店使用。', idempotencyKey: `birthday-msg:M-1:${year}` },
      { to: { memberId: 'M-2' }, purpose: 'marketing', text: '亲爱的李雷，祝您生日快乐！我们已为您赠送 200 生日积分，欢迎到店使用。', idempotencyKey: `birthday-msg:M-2:${year}` },
    ]);
    // Each member's message follows their grant.
    for (const memberId of ['M-1', 'M-2']) {
      const grantAt = parent.calls.findIndex((call) => call.method === 'points.grant' && (call.params as PointsGrantParams).memberId === memberId);
      const messageAt = parent.calls.findIndex((call) => call.method === 'message.send' && JSON.stringify(call.params).includes(`"${memberId}"`));
      expect(grantAt).toBeLessThan(messageAt);
    }

    // Run again (a re-run, a restart the same day): the same keys, so the hub grants and sends nothing new.
    const firstKeys = parent.calls.filter((call) => call.method !== 'member.segment').map((call) => (call.params as { idempotencyKey: string }).idempotencyKey).sort();
    parent.calls.length = 0;
    await inject('mk-birthday-bonus-daily');
    await parent.waitForCalls('message.send', 2);
    const againKeys = parent.calls.filter((call) => call.method !== 'member.segment').map((call) => (call.params as { idempotencyKey: string }).idempotencyKey).sort();
    expect(againKeys).toEqual(firstKeys);
  });

  it('anniversary-reminder thanks consenting members on their membership anniversary, not on the day they joined', async () => {
    const { year } = today();
    await inject('mk-anniversary-reminder-daily');
    const [message] = await parent.waitForCalls('message.send', 1);
    await settle();
    expect(parent.callsTo('member.segment').map((call) => call.params)).toEqual([{ segment: 'anniversary-today', consent: 'marketing', limit: 5000 }]);
    expect(parent.callsTo('message.send')).toHaveLength(1);
    expect(message?.params).toEqual({ to: { memberId: 'M-3' }, purpose: 'marketing', text: '亲爱的韩梅梅，今天是您成为我们会员的第 3 个周年纪念日，感谢一路相伴！', idempotencyKey: `anniversary:M-3:${year}` });
  });

  it('consumption-reminder quotes the stored value in yuan to consenting members unseen for 30 days, once per absence', async () => {
    await inject('mk-consumption-reminder-daily');
    const messages = (await parent.waitForCalls('message.send', 3)).sort(byMember);
    expect(parent.callsTo('member.segment').map((call) => call.params)).toEqual([{ segment: 'inactive', days: 30, minStoredValueCents: 1, consent: 'marketing', limit: 5000 }]);
    expect(messages.map((call) => call.params)).toEqual([
      { to: { memberId: 'M-5' }, purpose: 'marketing', text: '亲爱的张伟，您的会员卡还有 12.34 元储值余额，好久不见，欢迎回来！', idempotencyKey: 'consumption:M-5:2025-01-02T03:04:05.000Z' },
      { to: { memberId: 'M-6' }, purpose: 'marketing', text: '亲爱的刘洋，您的会员卡还有 0.05 元储值余额，好久不见，欢迎回来！', idempotencyKey: 'consumption:M-6:2025-01-03T03:04:05.000Z' },
      { to: { memberId: 'M-7' }, purpose: 'marketing', text: '亲爱的陈静，您的会员卡还有 1000.00 元储值余额，好久不见，欢迎回来！', idempotencyKey: 'consumption:M-7:2024-06-01T00:00:00.000Z' },
    ]);
  });

  it("churn-alert tells each home store's managers how many of its members were not seen for 90 days", async () => {
    const { date } = today();
    await inject('mk-churn-alert-daily');
    const messages = (await parent.waitForCalls('message.send', 2)).sort(byMember);
    await settle();
    expect(parent.callsTo('member.segment').map((call) => call.params)).toEqual([{ segment: 'inactive', days: 90, limit: 5000 }]);
    expect(parent.callsTo('message.send')).toHaveLength(2);
    expect(messages.map((call) => call.params)).toEqual([
      { to: { storeManagers: 'store-001' }, purpose: 'service', text: '【会员流失预警】门店 store-001 有 2 位会员已超过 90 天未到店，请安排回访。', idempotencyKey: `churn:store-001:${date}` },
      { to: { storeManagers: 'store-002' }, purpose: 'service', text: '【会员流失预警】门店 store-002 有 1 位会员已超过 90 天未到店，请安排回访。', idempotencyKey: `churn:store-002:${date}` },
    ]);
  });

  it("low-paper-alert tells the store's managers when a kiosk's paper runs low or out, with one key per kiosk and day", async () => {
    const { date } = today();
    const state = (deviceId: string, storeId: string | null, printer: string): DeviceStateEvent => ({ at: new Date().toISOString(), deviceId, storeId, online: true, printer, reader: 'ready', outboxDepth: 0 });
    parent.emit('device-state', state('K-001', 'store-001', 'ready'));
    parent.emit('device-state', state('K-001', 'store-001', 'paper_low'));
    parent.emit('device-state', state('K-003', null, 'paper_out'));
    parent.emit('device-state', state('K-001', 'store-001', 'paper_out'));
    const messages = await parent.waitForCalls('message.send', 2);
    await settle();
    expect(parent.callsTo('message.send')).toHaveLength(2);
    expect(messages.map((call) => call.params)).toEqual([
      { to: { storeManagers: 'store-001' }, purpose: 'service', text: '【打印纸提醒】自助机 K-001 的打印纸即将用完，请及时更换。', idempotencyKey: `low-paper:K-001:${date}` },
      // The same key: the hub sends the day's first alert for a kiosk only.
      { to: { storeManagers: 'store-001' }, purpose: 'service', text: '【打印纸提醒】自助机 K-001 的打印纸已用完，请及时更换。', idempotencyKey: `low-paper:K-001:${date}` },
    ]);
  });

  it('segment-campaign sends the campaign to consenting gold members, keyed by campaign and member', async () => {
    await inject('mk-segment-campaign-start');
    const messages = (await parent.waitForCalls('message.send', 2)).sort(byMember);
    expect(parent.callsTo('member.segment').map((call) => call.params)).toEqual([{ segment: 'all', tier: 'gold', consent: 'marketing', limit: 5000 }]);
    expect(messages.map((call) => call.params)).toEqual([
      { to: { memberId: 'M-11' }, purpose: 'marketing', text: '尊敬的赵敏：金卡会员专享日：本周六到店消费积分翻倍，期待您的光临！', idempotencyKey: 'campaign:gold-member-day:M-11' },
      { to: { memberId: 'M-12' }, purpose: 'marketing', text: '尊敬的周芷若：金卡会员专享日：本周六到店消费积分翻倍，期待您的光临！', idempotencyKey: 'campaign:gold-member-day:M-12' },
    ]);
  });
});
