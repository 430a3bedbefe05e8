/**
 * Our kiosk nodes in the real Node-RED child, started by the real FlowRuntime: they load (with both languages), the
 * parent's events reach the input nodes through their filters, the output nodes' calls reach the parent with the
 * params the protocol names, and a refusal reaches a catch node with its code. The parent is the recording stand-in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodedError } from '../core/errors/coded-error.ts';
import type { CardTapEvent, PrintParams, TransactionDoneEvent } from './runtime/protocol.ts';
import { RecordingFlowParent, writeFlows } from './testing/recording-flow-parent.ts';

const TAB = 'kiosk-nodes-test';

/**
 * A flow that turns what our input nodes see into calls the stand-in records. (No node id equals a property value:
 * Node-RED takes such a value for a reference to that node.)
 */
const TEST_FLOW = [
  { id: TAB, type: 'tab', label: 'kiosk nodes test' },
  // Every card: its kind and masked number printed (an unknown card's print is refused by the stand-in).
  { id: 'tap-all', type: 'mk-card-tap', z: TAB, cards: 'all', wires: [['tap-all-words']] },
  { id: 'tap-all-words', type: 'function', z: TAB, func: "msg.payload = { title: msg.topic, lines: [msg.payload.kind + ' ' + msg.payload.cardMasked] };\nreturn msg;", outputs: 1, wires: [['print']] },
  { id: 'print', type: 'mk-print', z: TAB, title: '', wires: [[]] },
  // Members' cards only: a greeting from the node's own templates.
  { id: 'tap-members', type: 'mk-card-tap', z: TAB, cards: 'member', wires: [['greet']] },
  { id: 'greet', type: 'mk-show-message', z: TAB, textZh: '欢迎 {{payload.memberId}}', textEn: 'Welcome {{payload.memberId}}', seconds: 3, tone: 'info', wires: [[]] },
  // A refused print reaches a catch node: what it got goes to the lamp's serial port.
  { id: 'print-failed', type: 'catch', z: TAB, scope: ['print'], uncaught: false, wires: [['print-failed-words']] },
  { id: 'print-failed-words', type: 'function', z: TAB, func: "msg.payload = [msg.error.code, msg._error.code, msg._error.message].join('|');\nreturn msg;", outputs: 1, wires: [['write-lamp']] },
  { id: 'write-lamp', type: 'mk-serial-write', z: TAB, port: 'lamp', encoding: 'utf8', wires: [[]] },
  // Applied purchases only: a beep (hex) on the buzzer.
  { id: 'purchases', type: 'mk-transaction-done', z: TAB, kind: 'purchase', status: 'applied', wires: [['beep-bytes']] },
  { id: 'beep-bytes', type: 'function', z: TAB, func: "msg.payload = '1B 07';\nreturn msg;", outputs: 1, wires: [['write-buzzer']] },
  { id: 'write-buzzer', type: 'mk-serial-write', z: TAB, port: 'buzzer', encoding: 'hex', wires: [[]] },
  // The printer's state, as text on a customer display.
  { id: 'status', type: 'mk-device-status', z: TAB, wires: [['status-words']] },
  { id: 'status-words', type: 'function', z: TAB, func: "msg.payload = msg.topic + ' ' + msg.payload.printer;\nreturn msg;", outputs: 1, wires: [['write-display']] },
  { id: 'write-display', type: 'mk-serial-write', z: TAB, port: 'display', encoding: 'utf8', wires: [[]] },
];

function tap(kind: CardTapEvent['kind'], last4: string, memberId: string | null = null): CardTapEvent {
  return { at: new Date().toISOString(), kind, memberId, tier: memberId ? 'gold' : null, cardMasked: `********${last4}`, deviceId: 'K-001', storeId: 'store-001' };
}

function transaction(kind: string, status: TransactionDoneEvent['status']): TransactionDoneEvent {
  return { at: new Date().toISOString(), txId: `tx-${kind}-${status}`, kind, status, code: status === 'rejected' ? 'TX_INVALID' : null, memberId: 'M-1', amountCents: 1234, pointsEarned: 12, pointsSpent: 0, deviceId: 'K-001', storeId: 'store-001' };
}

/** Lets in-flight events and calls settle before asserting that something did not happen. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('kiosk nodes in a real Node-RED child', () => {
  let dir: string;
  let parent: RecordingFlowParent;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-kiosk-nodes-'));
    writeFlows(dir, TEST_FLOW);
    parent = new RecordingFlowParent({
      host: 'kiosk',
      userDir: dir,
      answers: {
        'kiosk.print': (params) => {
          if ((params as PrintParams).lines[0]?.startsWith('unknown')) throw new CodedError('PRINTER_PAPER_OUT', 'the printer has no paper');
          return { printed: true };
        },
        'kiosk.showMessage': () => ({ shown: true }),
        'kiosk.serialWrite': () => ({ bytes: 2 }),
      },
    });
    await parent.start();
  }, 60_000);

  afterAll(async () => {
    await parent.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads our six nodes, with labels and help in Chinese and English', async () => {
    const sets = (await (await parent.admin('nodes', { headers: { accept: 'application/json' } })).json()) as { id: string; module: string; types: string[]; enabled: boolean; err?: string }[];
    const ours = sets.filter((set) => set.module === '@memberkiosk/kiosk-nodes');
    expect(ours.map((set) => ({ id: set.id, types: set.types, enabled: set.enabled, err: set.err }))).toEqual(
      ['card-tap', 'transaction-done', 'device-status', 'print', 'show-message', 'serial-write'].map((name) => ({
        id: `@memberkiosk/kiosk-nodes/${name}`,
        types: [`mk-${name}`],
        enabled: true,
        err: undefined,
      })),
    );

    const zh = (await (await parent.admin('nodes/@memberkiosk/kiosk-nodes/card-tap/messages?lng=zh-CN')).json()) as { 'card-tap': { paletteLabel: string } };
    const en = (await (await parent.admin('nodes/@memberkiosk/kiosk-nodes/card-tap/messages?lng=en-US')).json()) as { 'card-tap': { paletteLabel: string } };
    expect([zh['card-tap'].paletteLabel, en['card-tap'].paletteLabel]).toEqual(['刷卡', 'card tap']);

    const editorZh = await (await parent.admin('nodes', { headers: { accept: 'text/html', 'accept-language': 'zh-CN' } })).text();
    const editorEn = await (await parent.admin('nodes', { headers: { accept: 'text/html', 'accept-language': 'en-US' } })).text();
    for (const type of ['mk-card-tap', 'mk-print', 'mk-show-message', 'mk-serial-write', 'mk-transaction-done', 'mk-device-status']) {
      expect(editorZh).toContain(`data-template-name="${type}"`);
      expect(editorZh).toContain(`data-help-name="${type}"`);
    }
    expect(editorZh).toContain('本机读卡器上有卡刷过');
    expect(editorEn).toContain("Sends a message when a card is tapped on this kiosk's reader");
  });

  it('refuses the admin API without a token', async () => {
    expect((await fetch(new URL('nodes', parent.url), { headers: { accept: 'application/json' } })).status).toBe(401);
  });

  it('sends a card tap to the card tap nodes whose filter takes it, as msg.topic and msg.payload', async () => {
    parent.calls.length = 0;
    parent.emit('card-tap', tap('staff', '0002'));
    const [printed] = await parent.waitForCalls('kiosk.print', 1);
    expect(printed?.params).toEqual({ title: 'card-tap', lines: ['staff ********0002'] });
    await settle();
    expect(parent.callsTo('kiosk.showMessage')).toEqual([]);

    parent.emit('card-tap', tap('member', '0001', 'M-1'));
    const [greeted] = await parent.waitForCalls('kiosk.showMessage', 1);
    expect(greeted?.params).toEqual({ text: { 'zh-CN': '欢迎 M-1', en: 'Welcome M-1' }, seconds: 3, tone: 'info' });
    const prints = await parent.waitForCalls('kiosk.print', 2);
    expect(prints[1]?.params).toEqual({ title: 'card-tap', lines: ['member ********0001'] });
  });

  it("puts the parent's refusal in msg.error with its code and hands the message to a catch node", async () => {
    parent.calls.length = 0;
    parent.emit('card-tap', tap('unknown', '0009'));
    const [written] = await parent.waitForCalls('kiosk.serialWrite', 1);
    expect(written?.params).toEqual({ port: 'lamp', data: 'PRINTER_PAPER_OUT|PRINTER_PAPER_OUT|the printer has no paper', encoding: 'utf8' });
  });

  it('sends each device status change', async () => {
    parent.calls.length = 0;
    parent.emit('device-status', { at: new Date().toISOString(), reader: 'ready', printer: 'paper_low', hubConnected: true, outboxDepth: 0, deviceId: 'K-001', storeId: 'store-001' });
    const [written] = await parent.waitForCalls('kiosk.serialWrite', 1);
    expect(written?.params).toEqual({ port: 'display', data: 'device-status paper_low', encoding: 'utf8' });
  });

  it('after a deploy replaces the nodes, a tap reaches the new nodes, once', async () => {
    const flows = (await (await parent.admin('flows', { headers: { 'node-red-api-version': 'v2' } })).json()) as { rev: string; flows: unknown[] };
    const logged = parent.nodeRedLog.length;
    const deployed = await parent.admin('flows', { method: 'POST', headers: { 'node-red-api-version': 'v2', 'node-red-deployment-type': 'full' }, json: flows });
    expect(deployed.status).toBe(200);
    // The deploy answers before the new nodes start.
    await parent.waitForNodeRedLog(/\[info\] Started flows/, logged);
    parent.calls.length = 0;
    parent.emit('card-tap', tap('staff', '0003'));
    await parent.waitForCalls('kiosk.print', 1);
    await settle();
    expect(parent.callsTo('kiosk.print')).toEqual([{ method: 'kiosk.print', params: { title: 'card-tap', lines: ['staff ********0003'] } }]);
  });

  it('sends only the transactions that match the transaction done filter', async () => {
    parent.calls.length = 0;
    parent.emit('transaction-done', transaction('topup', 'applied'));
    parent.emit('transaction-done', transaction('purchase', 'rejected'));
    parent.emit('transaction-done', transaction('purchase', 'queued'));
    parent.emit('transaction-done', transaction('purchase', 'applied'));
    await parent.waitForCalls('kiosk.serialWrite', 1);
    await settle();
    expect(parent.callsTo('kiosk.serialWrite')).toEqual([{ method: 'kiosk.serialWrite', params: { port: 'buzzer', data: '1B07', encoding: 'hex' } }]);
  });
});
