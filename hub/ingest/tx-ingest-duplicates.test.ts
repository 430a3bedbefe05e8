/**
 * A copy of a transaction the ingest already holds — queued, in the batch being applied, or held back — is dropped
 * (tx-ingest.ts): a kiosk that heard nothing for 5 s sends its pending entries again, and a hub that fell behind
 * applied every sale twice and fell further behind. Over the real ledger (SQLite, demo data, an enrolled kiosk),
 * held up by a gate in front of its applyBatch so copies arrive while the original is in hand; the MQTT client the
 * ingest answers through is a recording fake (the edge: what would be sent to the kiosk).
 */
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TxResult } from '../../core/wire/result.ts';
import { resultsOf } from '../../core/wire/result.ts';
import { createTopics } from '../../core/wire/topics.ts';
import type { ReceivedTransaction } from '../ledger/ledger-store.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { goldCashPurchase } from '../testing/gold-cash-purchase.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { TxIngest } from './tx-ingest.ts';

const DEVICE = 'kiosk-dup';
const purchase = goldCashPurchase;

function recordingClient() {
  const sent: TxResult[][] = [];
  const client = {
    publish(_topic: string, message: string) {
      sent.push(resultsOf(JSON.parse(message)) ?? []);
      return client;
    },
  };
  return { client: client as unknown as MqttClient, results: () => sent.flat() };
}

describe('copies of a transaction the ingest holds (real SQLite ledger; the MQTT client a recording fake)', () => {
  let env: TestHub;
  let kiosk: RawDeviceClient;
  let recorder: ReturnType<typeof recordingClient>;
  let ingest: TxIngest;
  /** Batches the ledger was given, and the gate each waits at. */
  let batches: ReceivedTransaction[][];
  let openGate: () => void;
  let failNext: boolean;

  beforeEach(async () => {
    env = await startTestHub();
    kiosk = await RawDeviceClient.connect(env.brokerUrl, DEVICE, await enrolForTest(env, DEVICE));
    await env.hub.store.identity.setDeviceMode(DEVICE, 'attended');
    recorder = recordingClient();
    batches = [];
    failNext = false;
    let gate = Promise.resolve();
    openGate = () => undefined;
    const closeGate = () => {
      gate = new Promise<void>((resolve) => (openGate = resolve));
    };
    closeGate();
    const store = {
      applyBatch: async (batch: ReceivedTransaction[]) => {
        batches.push(batch);
        await gate;
        if (failNext) {
          failNext = false;
          throw new Error('injected: the database refused the batch');
        }
        return env.hub.store.applyBatch(batch);
      },
    };
    ingest = new TxIngest({ client: recorder.client, store, topics: createTopics(), logger: pino({ level: 'silent' }) });
  });

  afterEach(async () => {
    openGate();
    await ingest.idle();
    await kiosk.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  const bytes = (tx: object) => Buffer.from(JSON.stringify(tx));

  it('drops copies that arrive while the original is being applied or queued, answers the original once, and takes a copy after the answer', async () => {
    const first = kiosk.make(purchase(1_000));
    const second = kiosk.make(purchase(2_000));
    ingest.receive(DEVICE, bytes(first));
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    // The first is being applied (held at the gate); the second queues behind it; both are sent again, twice.
    ingest.receive(DEVICE, bytes(second));
    for (let i = 0; i < 2; i++) {
      ingest.receive(DEVICE, bytes(first));
      ingest.receive(DEVICE, bytes(second));
    }
    expect(ingest.duplicatesDropped).toBe(4);
    openGate();
    await vi.waitFor(() => expect(recorder.results()).toHaveLength(2));
    await ingest.idle();
    expect(recorder.results().map((r) => [r.id, r.status])).toEqual([
      [first.id, 'applied'],
      [second.id, 'applied'],
    ]);
    expect(batches.flat()).toHaveLength(2);
    // Answered: a copy now is a resend of a result the kiosk missed, applied again as `exists`.
    ingest.receive(DEVICE, bytes(first));
    await vi.waitFor(() => expect(recorder.results()).toHaveLength(3));
    expect(recorder.results()[2]).toMatchObject({ id: first.id, status: 'exists' });
    expect(ingest.duplicatesDropped).toBe(4);
  });

  it('takes a copy with other bytes under the same id (refused as an id conflict, not hidden), and a copy after a failed batch', async () => {
    const tx = kiosk.make(purchase(1_000));
    failNext = true;
    ingest.receive(DEVICE, bytes(tx));
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    // Same id, other content: not a copy.
    const forged = { ...tx, lines: [{ lineNo: 1, sku: 'SKU-1', category: 'grocery', qty: 1, unitPriceCents: 1 }], payments: [{ method: 'cash', amountCents: 1 }] };
    ingest.receive(DEVICE, bytes(forged));
    expect(ingest.duplicatesDropped).toBe(0);
    // The batch fails whole: nothing answered, and the kiosk's resend is news again.
    openGate();
    await vi.waitFor(() => expect(batches).toHaveLength(2));
    await ingest.idle();
    ingest.receive(DEVICE, bytes(tx));
    await vi.waitFor(() => expect(recorder.results().some((r) => r.id === tx.id && r.status === 'applied')).toBe(true));
    await ingest.idle();
    expect(ingest.duplicatesDropped).toBe(0);
    const answers = recorder.results().filter((r) => r.id === tx.id);
    // The forged copy (second batch) and the resend (third): one refused as a conflict or applied first — never both applied.
    expect(answers.filter((r) => r.status === 'applied')).toHaveLength(1);
  });
});
