/**
 * The ingest against an asynchronous ledger port (what a PostgreSQL back end will be): batches are applied
 * strictly one after another in arrival order, what arrives while one is applied waits and forms the next
 * batch, results leave only once their batch's promise resolved, and a rejected batch publishes nothing.
 */
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { TxResult } from '../../core/wire/result.ts';
import { createTopics } from '../../core/wire/topics.ts';
import type { LedgerStore, ReceivedTransaction } from '../ledger/ledger-store.ts';
import { TxIngest } from './tx-ingest.ts';

interface PendingBatch {
  ids: string[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A ledger port whose every batch waits until the test settles it. */
function deferredStore() {
  const batches: PendingBatch[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const store: Pick<LedgerStore, 'applyBatch'> = {
    applyBatch(batch: ReceivedTransaction[]): Promise<TxResult[]> {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const ids = batch.map((item) => (item.parsed.ok ? item.parsed.tx.id : 'unreadable'));
      return new Promise<TxResult[]>((resolve, reject) => {
        batches.push({
          ids,
          resolve: () => {
            inFlight -= 1;
            resolve(batch.map((item) => (item.parsed.ok ? { id: item.parsed.tx.id, seq: item.parsed.tx.seq, status: 'applied', recorded: true } : { id: null, seq: null, status: 'rejected', recorded: false })));
          },
          reject: (error) => {
            inFlight -= 1;
            reject(error);
          },
        });
      });
    },
  };
  return { store, batches, maxInFlight: () => maxInFlight };
}

function fakeClient() {
  const published: { topic: string; ids: (string | null)[] }[] = [];
  const client = {
    publish(topic: string, message: string) {
      const json = JSON.parse(message) as TxResult | { results: TxResult[] };
      published.push({ topic, ids: 'results' in json ? json.results.map((r) => r.id) : [json.id] });
      return client;
    },
  };
  return { client: client as unknown as MqttClient, published };
}

let nextSeq = 0;
function payload(id: string): Buffer {
  nextSeq += 1;
  const tx = {
    v: 2, id, deviceId: 'kiosk-o', epoch: 'E', seq: nextSeq, kind: 'purchase', createdAt: '2026-01-01T00:00:00.000Z', storeId: 'S1', bundleVersion: 1, cardUid: 'A1B2C3D4',
    lines: [{ lineNo: 1, sku: 'X', category: 'c', qty: 1, unitPriceCents: 100 }], payments: [{ method: 'cash', amountCents: 100 }],
  };
  return Buffer.from(JSON.stringify(tx));
}
const ID = (n: number) => `01J${String(n).padStart(23, '0')}`;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('tx ingest over an asynchronous ledger port', () => {
  it('applies batches one after another in arrival order, publishing each batch only after it resolved', async () => {
    const { store, batches, maxInFlight } = deferredStore();
    const { client, published } = fakeClient();
    const ingest = new TxIngest({ client, store, topics: createTopics(), logger: pino({ level: 'silent' }) });
    ingest.receive('kiosk-o', payload(ID(1)));
    ingest.receive('kiosk-o', payload(ID(2)));
    await nextTurn();
    expect(batches.map((b) => b.ids)).toEqual([[ID(1), ID(2)]]);
    // Arrivals while the first batch is being applied wait: no second batch starts.
    ingest.receive('kiosk-o', payload(ID(3)));
    await nextTurn();
    ingest.receive('kiosk-o', payload(ID(4)));
    await nextTurn();
    expect(batches).toHaveLength(1);
    expect(published).toEqual([]);
    batches[0]!.resolve();
    await nextTurn();
    expect(published).toEqual([{ topic: createTopics().txResult('kiosk-o'), ids: [ID(1), ID(2)] }]);
    // What waited is the next batch, in arrival order.
    expect(batches.map((b) => b.ids)).toEqual([[ID(1), ID(2)], [ID(3), ID(4)]]);
    batches[1]!.resolve();
    await ingest.idle();
    expect(published.map((p) => p.ids)).toEqual([[ID(1), ID(2)], [ID(3), ID(4)]]);
    expect(maxInFlight()).toBe(1);
    expect(ingest.applied).toBe(4);
  });

  it('hands the next batch to the store before it publishes the results of the one that committed', async () => {
    const { store, batches, maxInFlight } = deferredStore();
    const { client, published } = fakeClient();
    const handedOverBeforePublishing: number[] = [];
    const watching = {
      publish(topic: string, message: string) {
        // How many batches the store had been handed when this result message went out.
        handedOverBeforePublishing.push(batches.length);
        return (client as unknown as { publish(t: string, m: string): unknown }).publish(topic, message);
      },
    } as unknown as MqttClient;
    const ingest = new TxIngest({ client: watching, store, topics: createTopics(), logger: pino({ level: 'silent' }) });
    ingest.receive('kiosk-o', payload(ID(21)));
    await nextTurn();
    ingest.receive('kiosk-o', payload(ID(22)));
    batches[0]!.resolve();
    await nextTurn();
    // The second batch was with the store (another thread may apply it) while the first one's results went out…
    expect(handedOverBeforePublishing).toEqual([2]);
    expect(published.map((p) => p.ids)).toEqual([[ID(21)]]);
    // …still one batch applied at a time, and its results only once it committed.
    expect(maxInFlight()).toBe(1);
    batches[1]!.resolve();
    await ingest.idle();
    expect(published.map((p) => p.ids)).toEqual([[ID(21)], [ID(22)]]);
  });

  it('publishes nothing for a rejected batch and goes on with what arrived behind it', async () => {
    const { store, batches } = deferredStore();
    const { client, published } = fakeClient();
    const ingest = new TxIngest({ client, store, topics: createTopics(), logger: pino({ level: 'silent' }) });
    ingest.receive('kiosk-o', payload(ID(11)));
    await nextTurn();
    ingest.receive('kiosk-o', payload(ID(12)));
    batches[0]!.reject(new Error('disk full'));
    await nextTurn();
    await nextTurn();
    expect(batches.map((b) => b.ids)).toEqual([[ID(11)], [ID(12)]]);
    batches[1]!.resolve();
    await ingest.idle();
    expect(published.map((p) => p.ids)).toEqual([[ID(12)]]);
  });
});
