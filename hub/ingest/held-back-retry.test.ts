/**
 * Hub workers hold back an ordering gap and apply it again before answering (held-back-retry.ts), over the real
 * ledger (SQLite, the demo data, a kiosk enrolled in the fleet). "Another worker" is the same ledger applied to
 * directly, as a second worker's batch would be; the MQTT client the ingest answers through is a recording fake
 * (the edge: what matters is what would be sent to the kiosk, and when).
 */
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TxResult } from '../../core/wire/result.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { resultsOf } from '../../core/wire/result.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { goldCashPurchase } from '../testing/gold-cash-purchase.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { BUSY_DELAYS_MS, HELD_BACK_DELAYS_MS, HeldBackRetry } from './held-back-retry.ts';
import { TxIngest } from './tx-ingest.ts';

const DEVICE = 'kiosk-held';
const purchase = goldCashPurchase;

/** What the ingest would have sent the kiosk, with the time each message left. */
function recordingClient() {
  const sent: { at: number; results: TxResult[] }[] = [];
  const client = {
    publish(_topic: string, message: string) {
      sent.push({ at: Date.now(), results: resultsOf(JSON.parse(message)) ?? [] });
      return client;
    },
  };
  return { client: client as unknown as MqttClient, sent, results: () => sent.flatMap((m) => m.results) };
}

describe('held-back retry of ordering gaps (real SQLite ledger; the MQTT client a recording fake)', () => {
  let env: TestHub;
  let kiosk: RawDeviceClient;
  let heldBack: HeldBackRetry;
  let ingest: TxIngest;
  let recorder: ReturnType<typeof recordingClient>;

  beforeEach(async () => {
    env = await startTestHub();
    kiosk = await RawDeviceClient.connect(env.brokerUrl, DEVICE, await enrolForTest(env, DEVICE));
    await env.hub.store.identity.setDeviceMode(DEVICE, 'attended');
    recorder = recordingClient();
    heldBack = new HeldBackRetry({ requeue: (item) => ingest.requeue(item) });
    ingest = new TxIngest({ client: recorder.client, store: env.hub.store, topics: createTopics(), logger: pino({ level: 'silent' }), holdBack: heldBack });
  });

  afterEach(async () => {
    heldBack.stop();
    await ingest.idle();
    await kiosk.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  const bytes = (tx: object) => Buffer.from(JSON.stringify(tx));
  /** Seq n applied by "another worker": a batch of its own on the same ledger. */
  const applyElsewhere = (tx: object) => env.hub.store.applyBatch([{ topicDeviceId: DEVICE, parsed: parseLedgerTransaction(bytes(tx)), receivedAt: new Date().toISOString() }]);

  it('a gap that another worker fills while it waits: the kiosk is answered `applied`, never told of the gap', async () => {
    const first = kiosk.make(purchase(1_000));
    const second = kiosk.make(purchase(2_000));
    ingest.receive(DEVICE, bytes(second));
    await vi.waitFor(() => expect(heldBack.heldTotal).toBe(1), { timeout: 2_000, interval: 1 });
    expect(recorder.sent).toEqual([]);
    expect((await applyElsewhere(first))[0]).toMatchObject({ id: first.id, status: 'applied' });
    await vi.waitFor(() => expect(recorder.results()).toHaveLength(1), { timeout: 2_000, interval: 5 });
    expect(recorder.results()).toEqual([expect.objectContaining({ id: second.id, seq: 2, status: 'applied', recorded: true })]);
    expect(await env.hub.store.lastSeq(DEVICE)).toBe(2);
    expect(heldBack.holding()).toBe(0);
  });

  it('a gap nobody fills is answered once, `retry`, after the growing waits (about half a second)', async () => {
    kiosk.make(purchase(1_000));
    const third = kiosk.make(purchase(1_000), { seq: 3 });
    const started = Date.now();
    ingest.receive(DEVICE, bytes(third));
    await vi.waitFor(() => expect(recorder.results()).toHaveLength(1), { timeout: 3_000, interval: 5 });
    const waited = recorder.sent[0]!.at - started;
    expect(recorder.results()).toEqual([expect.objectContaining({ id: third.id, status: 'rejected', code: 'TX_OUT_OF_ORDER', retry: true, recorded: false })]);
    // Applied once and then again after each wait: 1 + 6 tries, the kiosk told after the last.
    expect(heldBack.heldTotal).toBe(HELD_BACK_DELAYS_MS.length);
    const total = HELD_BACK_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(total);
    expect(waited).toBeLessThan(total + 1_500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recorder.results()).toHaveLength(1);
    expect(await env.hub.store.lastSeq(DEVICE)).toBe(0);
  });

  it('holds back only the item with the gap: the rest of its batch is answered at once', async () => {
    const first = kiosk.make(purchase(1_000));
    const third = kiosk.make(purchase(1_000), { seq: 3 });
    // One event-loop pass, one batch: seq 1 applies, seq 3 has a gap (seq 2 is "on another worker").
    ingest.receive(DEVICE, bytes(first));
    ingest.receive(DEVICE, bytes(third));
    await vi.waitFor(() => expect(recorder.results()).toHaveLength(1), { timeout: 2_000, interval: 1 });
    expect(recorder.results()).toEqual([expect.objectContaining({ id: first.id, status: 'applied' })]);
    expect(heldBack.holding()).toBe(1);
    const second = kiosk.make(purchase(1_000), { seq: 2 });
    await applyElsewhere(second);
    await vi.waitFor(() => expect(recorder.results()).toHaveLength(2), { timeout: 2_000, interval: 5 });
    expect(recorder.results()[1]).toMatchObject({ id: third.id, seq: 3, status: 'applied' });
    expect(await env.hub.store.lastSeq(DEVICE)).toBe(3);
  });

  it('answers every other refusal at once, and drops what it holds when stopped', async () => {
    ingest.receive(DEVICE, Buffer.from('not json'));
    await vi.waitFor(() => expect(recorder.results()).toHaveLength(1), { timeout: 2_000, interval: 1 });
    expect(recorder.results()[0]).toMatchObject({ status: 'rejected', code: 'TX_MALFORMED' });
    expect(heldBack.heldTotal).toBe(0);
    ingest.receive(DEVICE, bytes(kiosk.make(purchase(1_000), { seq: 9 })));
    await vi.waitFor(() => expect(heldBack.holding()).toBe(1), { timeout: 2_000, interval: 1 });
    heldBack.stop();
    expect(heldBack.holding()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 700));
    // Nothing applied again and nothing answered: the kiosk still holds the entry and sends it again.
    expect(recorder.results()).toHaveLength(1);
    expect(heldBack.heldTotal).toBe(1);
  });
});

describe('held-back retry of a kiosk another worker holds (TX_DEVICE_BUSY)', () => {
  it('holds it back like a gap, applies it again after each wait, and answers it after the last', async () => {
    const requeued: unknown[] = [];
    const held = new HeldBackRetry({ requeue: (item) => requeued.push(item), delaysMs: [50], busyDelaysMs: [1, 1] });
    const item = { topicDeviceId: DEVICE, parsed: parseLedgerTransaction(Buffer.from('{}')), receivedAt: new Date().toISOString() };
    const busy: TxResult = { id: 'T1', seq: 1, epoch: 'E1', status: 'rejected', code: 'TX_DEVICE_BUSY', retry: true, recorded: false };
    expect(held.offer(item, busy)).toBe(true);
    await vi.waitFor(() => expect(requeued).toHaveLength(1), { timeout: 1_000, interval: 1 });
    expect(held.offer(item, busy)).toBe(true);
    await vi.waitFor(() => expect(requeued).toHaveLength(2), { timeout: 1_000, interval: 1 });
    // Its own waits (more than a gap's one) are spent: the kiosk is told (retry) and resends as for any gap.
    expect(held.offer(item, busy)).toBe(false);
    // Not retryable, not held: a recorded refusal goes to the kiosk at once.
    expect(held.offer(item, { ...busy, code: 'INSUFFICIENT_STORED_VALUE', retry: false, recorded: true })).toBe(false);
    held.stop();
  });

  it('waits longer for a busy kiosk or card than for a gap: a claim ends with the other batch, a gap may never', () => {
    const total = (delays: readonly number[]) => delays.reduce((a, b) => a + b, 0);
    expect(total(BUSY_DELAYS_MS)).toBeGreaterThanOrEqual(2_500);
    expect(total(HELD_BACK_DELAYS_MS)).toBeLessThan(1_000);
  });
});
