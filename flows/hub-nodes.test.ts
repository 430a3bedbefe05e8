/**
 * Our hub nodes in the real Node-RED child, started by the real FlowRuntime, beyond what the shipped flows use:
 * ledger events through their filter, a member look-up feeding a grant whose key comes from the message, a device
 * command, a template with a hole refused before anything is asked of the hub, and a segment's fan-out of a hundred
 * grants that never has more calls in flight than the hub accepts. The hub is the recording stand-in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerEvent, MemberGetParams, MemberSummary, PointsGrantParams } from './runtime/protocol.ts';
import { RecordingFlowParent, writeFlows } from './testing/recording-flow-parent.ts';

const TAB = 'hub-nodes-test';
const FAN_OUT = 100;

const TEST_FLOW = [
  { id: TAB, type: 'tab', label: 'hub nodes test' },
  // Applied purchases: the kiosk shows the transaction id.
  { id: 'purchases', type: 'mk-ledger-event', z: TAB, kind: 'purchase', status: 'applied', wires: [['tell-kiosk']] },
  { id: 'tell-kiosk', type: 'mk-device-command', z: TAB, deviceId: '', textZh: '交易 {{payload.txId}} 已入账', textEn: 'Transaction {{payload.txId}} applied', seconds: 5, wires: [[]] },
  // Top-ups of any status: a bonus keyed by the transaction (the key from msg), then a service message.
  { id: 'topups', type: 'mk-ledger-event', z: TAB, kind: 'topup', status: '', wires: [['bonus-terms']] },
  { id: 'bonus-terms', type: 'function', z: TAB, func: "msg.points = 5;\nmsg.reason = '充值赠送';\nmsg.idempotencyKey = 'topup-bonus:' + msg.payload.txId;\nreturn msg;", outputs: 1, wires: [['look-up']] },
  { id: 'look-up', type: 'mk-member', z: TAB, mode: 'get', wires: [['grant-from-msg']] },
  { id: 'grant-from-msg', type: 'mk-grant-points', z: TAB, points: '', reason: '', keySource: 'msg', keyProperty: 'idempotencyKey', keyTemplate: '', wires: [['thank']] },
  { id: 'thank', type: 'mk-send-message', z: TAB, to: 'member', storeId: '', purpose: 'service', text: '{{member.name}}，充值赠送 {{payload.points}} 积分已到账。', keySource: 'template', keyTemplate: 'topup-msg:{{memberId}}:{{payload.txId}}', keyProperty: 'idempotencyKey', wires: [[]] },
  // Refunds: a key template naming a value no message has, refused; a catch node shows what it got on a kiosk.
  { id: 'refunds', type: 'mk-ledger-event', z: TAB, kind: 'refund', status: '', wires: [['grant-with-hole']] },
  { id: 'grant-with-hole', type: 'mk-grant-points', z: TAB, points: '10', reason: 'x', keySource: 'template', keyTemplate: 'refund:{{memberId}}:{{nope}}', keyProperty: 'idempotencyKey', wires: [[]] },
  { id: 'hole-caught', type: 'catch', z: TAB, scope: ['grant-with-hole'], uncaught: false, wires: [['hole-words']] },
  { id: 'hole-words', type: 'function', z: TAB, func: "msg.payload = { deviceId: 'K-ERR', text: msg.error.code + '|' + msg._error.message };\nreturn msg;", outputs: 1, wires: [['show-error']] },
  { id: 'show-error', type: 'mk-device-command', z: TAB, deviceId: '', textZh: '', textEn: '', seconds: '', wires: [[]] },
  // A segment of a hundred, one grant each.
  { id: 'fan-out', type: 'inject', z: TAB, props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', crontab: '', once: false, wires: [['everyone']] },
  { id: 'everyone', type: 'mk-member', z: TAB, mode: 'segment', segment: 'all', days: '', tier: '', storeId: '', minStoredValueCents: '', consent: '', limit: '', output: 'each', wires: [['grant-each']] },
  { id: 'grant-each', type: 'mk-grant-points', z: TAB, points: '1', reason: 'fan-out', keySource: 'template', keyTemplate: 'fan:{{memberId}}', keyProperty: 'idempotencyKey', wires: [[]] },
];

function member(memberId: string, name: string): MemberSummary {
  return { memberId, name, tier: 'silver', homeStoreId: 'store-001', points: 0, storedValueCents: 0, joinedAt: '2024-01-01T00:00:00.000Z', birthday: null, lastSeenAt: null, marketingConsent: false };
}

function ledgerEvent(kind: string, status: LedgerEvent['status'], txId: string): LedgerEvent {
  return { at: new Date().toISOString(), txId, deviceId: 'K-001', storeId: 'store-001', kind, status, code: null, memberId: 'M-1', pointsEarned: 0, pointsSpent: 0, valueDeltaCents: 0 };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('hub nodes in a real Node-RED child', () => {
  let dir: string;
  let parent: RecordingFlowParent;
  let grantsInFlight = 0;
  let mostGrantsInFlight = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-hub-nodes-'));
    writeFlows(dir, TEST_FLOW);
    parent = new RecordingFlowParent({
      host: 'hub',
      userDir: dir,
      answers: {
        'member.get': (params) => ((params as MemberGetParams & { memberId?: string }).memberId === 'M-1' ? member('M-1', '王芳') : null),
        'member.segment': () => ({ members: Array.from({ length: FAN_OUT }, (_, index) => member(`F-${index}`, `F${index}`)), truncated: false }),
        'points.grant': async (params) => {
          grantsInFlight += 1;
          mostGrantsInFlight = Math.max(mostGrantsInFlight, grantsInFlight);
          await new Promise((resolve) => setTimeout(resolve, 20));
          grantsInFlight -= 1;
          const { idempotencyKey, points } = params as PointsGrantParams;
          return { status: 'granted', txId: `tx-${idempotencyKey}`, points };
        },
        'message.send': () => ({ status: 'sent', messageId: 'm-1' }),
        'device.command': () => ({ sent: true }),
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

  it('sends only the ledger events that match the filter, and a device command with the texts filled from the message', async () => {
    parent.emit('ledger-event', ledgerEvent('purchase', 'rejected', 'tx-a'));
    parent.emit('ledger-event', ledgerEvent('redeem', 'applied', 'tx-b'));
    parent.emit('ledger-event', ledgerEvent('purchase', 'applied', 'tx-c'));
    await parent.waitForCalls('device.command', 1);
    await settle();
    expect(parent.calls).toEqual([
      { method: 'device.command', params: { deviceId: 'K-001', command: 'show-message', args: { text: { 'zh-CN': '交易 tx-c 已入账', en: 'Transaction tx-c applied' }, seconds: 5 } } },
    ]);
  });

  it('looks a member up, grants with the key the message holds, and messages the member kept in msg.member', async () => {
    parent.emit('ledger-event', ledgerEvent('topup', 'applied', 'tx-t1'));
    await parent.waitForCalls('message.send', 1);
    expect(parent.calls).toEqual([
      { method: 'member.get', params: { memberId: 'M-1' } },
      { method: 'points.grant', params: { memberId: 'M-1', points: 5, reason: '充值赠送', idempotencyKey: 'topup-bonus:tx-t1' } },
      { method: 'message.send', params: { to: { memberId: 'M-1' }, purpose: 'service', text: '王芳，充值赠送 5 积分已到账。', idempotencyKey: 'topup-msg:M-1:tx-topup-bonus:tx-t1' } },
    ]);
  });

  it('refuses a key template with a hole (FLOW_PARAMS_INVALID) without asking the hub, and a catch node gets the code', async () => {
    parent.emit('ledger-event', ledgerEvent('refund', 'applied', 'tx-r1'));
    const [shown] = await parent.waitForCalls('device.command', 1);
    expect(shown?.params).toEqual({ deviceId: 'K-ERR', command: 'show-message', args: { text: 'FLOW_PARAMS_INVALID|the template "refund:{{memberId}}:{{nope}}" has no value for {{nope}} in this message' } });
    expect(parent.callsTo('points.grant')).toEqual([]);
  });

  it("fans a segment out to one grant per member, never more calls in flight than the hub's limit", async () => {
    mostGrantsInFlight = 0;
    expect((await parent.admin('inject/fan-out', { method: 'POST', json: {} })).status).toBe(200);
    const grants = await parent.waitForCalls('points.grant', FAN_OUT, 20_000);
    expect(new Set(grants.map((call) => (call.params as PointsGrantParams).idempotencyKey)).size).toBe(FAN_OUT);
    // The runtime refuses calls beyond 32 in flight (FLOW_CALLS_BUSY); our nodes keep to 8.
    expect(mostGrantsInFlight).toBeGreaterThan(1);
    expect(mostGrantsInFlight).toBeLessThanOrEqual(8);
  });
});
