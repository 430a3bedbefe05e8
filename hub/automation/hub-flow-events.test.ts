/**
 * The hub's events for flows from the hub's own parts: the ingest applying kiosk batches on a real SQLite ledger
 * (its MQTT client is a stand-in that records what it publishes, as in tx-ingest-order.test.ts) and the device
 * registry's recorder writing kiosk reports to a real fleet.sqlite. A listener or an `emit` that throws never
 * stops either of them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { HUB_EVENTS, type DeviceStateEvent, type LedgerEvent } from '../../flows/runtime/protocol.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { SqliteFleetRegistry } from '../fleet/sqlite/sqlite-fleet-registry.ts';
import { TxIngest } from '../ingest/tx-ingest.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { DeviceStatusRecorder } from '../registry/device-status-recorder.ts';
import { SqliteDeviceStatusStore } from '../registry/sqlite-device-status-store.ts';
import { createHubFlowEvents } from './hub-flow-events.ts';

const silent = pino({ level: 'silent' });
/** What the ingest received is applied in its next pass of the event loop; then wait for it. */
const drain = async (ingest: TxIngest) => {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await ingest.idle();
};
const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

/** A stand-in for the hub's MQTT client: records the ids of each result message it is asked to publish. */
function recordingClient() {
  const published: string[] = [];
  const client = {
    publish(_topic: string, message: string) {
      const json = JSON.parse(message) as TxResult | { results: TxResult[] };
      for (const r of 'results' in json ? json.results : [json]) published.push(r.id ?? '');
      return client;
    },
  };
  return { client: client as unknown as MqttClient, published };
}

const purchase = (deviceId: string, seq: number, cardUid: string, cents = 1_000, id = nextId()) =>
  Buffer.from(
    JSON.stringify({
      v: TX_FORMAT, id, deviceId, epoch: 'E1', seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'purchase', cardUid,
      lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: cents }], payments: [{ method: 'cash', amountCents: cents }],
    }),
  );

describe('ledger events from the ingest', () => {
  let ledger: Ledger | null = null;
  afterEach(async () => {
    if (ledger) expect(await ledger.audit()).toEqual([]);
    await ledger?.close();
    ledger = null;
  });

  async function setUp() {
    const store = (ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE }));
    await seedDemoData(store);
    await store.identity.setDeviceMode('kiosk-e', 'attended');
    return store;
  }

  it('tells each transaction answered for good once, after its results were published: no resend, no unrecorded refusal', async () => {
    const store = await setUp();
    const { client, published } = recordingClient();
    const events: { topic: string; payload: LedgerEvent }[] = [];
    const publishedWhenTold: string[][] = [];
    const flowEvents = createHubFlowEvents({ emit: (topic, payload) => events.push({ topic, payload: payload as LedgerEvent }), logger: silent });
    const ingest = new TxIngest({
      client, store, topics: createTopics(), logger: silent,
      onResults: (batch, results) => {
        publishedWhenTold.push([...published]);
        flowEvents.ingestResults(batch, results);
      },
    });
    const bought = nextId();
    const first = purchase('kiosk-e', 1, DEMO_CARDS.gold, 1_000, bought);
    ingest.receive('kiosk-e', first);
    ingest.receive('kiosk-e', purchase('kiosk-e', 2, 'FFFF0000FFFF'));
    await drain(ingest);
    ingest.receive('kiosk-e', first); // a resend: exists
    ingest.receive('kiosk-e', purchase('kiosk-e', 9, DEMO_CARDS.gold)); // a gap: refused, unrecorded, sent again later
    await drain(ingest);
    expect(publishedWhenTold.map((ids) => ids.length)).toEqual([2, 4]);
    const gold = (await store.memberViewByCard(DEMO_CARDS.gold))!;
    const applied = gold.history.find((h) => h.txId === bought)!;
    expect(events.map((e) => e.topic)).toEqual([HUB_EVENTS.ledgerEvent, HUB_EVENTS.ledgerEvent]);
    expect(events[0]!.payload).toEqual({
      at: expect.any(String), txId: bought, deviceId: 'kiosk-e', storeId: DEMO_STORE_ID, kind: 'purchase', status: 'applied', code: null, memberId: 'M0003',
      pointsEarned: applied.pointsDelta, pointsSpent: 0, valueDeltaCents: 0,
    } satisfies LedgerEvent);
    expect(events[1]!.payload).toMatchObject({ deviceId: 'kiosk-e', kind: 'purchase', status: 'rejected', code: 'CARD_UNKNOWN', memberId: null, pointsEarned: 0 });
  });

  it('goes on applying and publishing when the listener throws or rejects, or the emit throws', async () => {
    const store = await setUp();
    const { client, published } = recordingClient();
    let calls = 0;
    const throwing = createHubFlowEvents({
      emit: () => {
        throw new Error('the child is gone');
      },
      logger: silent,
    });
    const ingest = new TxIngest({
      client, store, topics: createTopics(), logger: silent,
      onResults: (batch, results) => {
        calls += 1;
        throwing.ingestResults(batch, results); // its emit throws: caught inside
        if (calls === 1) throw new Error('listener broke');
        return Promise.reject(new Error('listener rejected'));
      },
    });
    ingest.receive('kiosk-e', purchase('kiosk-e', 1, DEMO_CARDS.gold));
    await drain(ingest);
    ingest.receive('kiosk-e', purchase('kiosk-e', 2, DEMO_CARDS.gold));
    await drain(ingest);
    expect(calls).toBe(2);
    expect(published).toHaveLength(2);
    expect(await store.lastSeq('kiosk-e', 'E1')).toBe(2);
  });
});

describe('device-state events from the device registry', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  async function setUp() {
    const dir = mkdtempSync(join(tmpdir(), 'mk-flow-events-'));
    const path = join(dir, 'fleet.sqlite');
    const fleet = new SqliteFleetRegistry(path);
    await fleet.open();
    const store = new SqliteDeviceStatusStore(path);
    await store.open();
    const recorder = new DeviceStatusRecorder({ store, logger: silent, batchMs: 5 });
    recorder.start();
    cleanups.push(async () => {
      await recorder.stop();
      await store.close();
      await fleet.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const events: DeviceStateEvent[] = [];
    const flowEvents = createHubFlowEvents({ emit: (topic, payload) => topic === HUB_EVENTS.deviceState && events.push(payload as DeviceStateEvent), logger: silent, storeOf: async (id) => (id === 'kiosk-1' ? DEMO_STORE_ID : null) });
    recorder.onRecorded((status, change) => flowEvents.deviceRecorded(status, change));
    const state = (deviceId: string, printer: Record<string, unknown>, outboxDepth = 0) =>
      recorder.receiveState(deviceId, Buffer.from(JSON.stringify({ deviceId, outboxDepth, drivers: { cardReader: { kind: 'serial', connected: true, reconnects: 0, framesRejected: 0 }, printer } })), false);
    const settle = async () => {
      await recorder.flush();
      await flowEvents.settled();
    };
    return { recorder, events, state, settle };
  }
  const printer = { kind: 'serial', connected: true, online: true, paperOut: false, paperNearEnd: false, coverOpen: false, reconnects: 0, queueDepth: 0 };

  it("tells a kiosk's availability and state when what a flow sees changes, in the kiosk's words, and not when it repeats", async () => {
    const { recorder, events, state, settle } = await setUp();
    recorder.receiveAvailability('kiosk-1', Buffer.from('online'), false);
    await settle();
    expect(events).toEqual([{ at: expect.any(String), deviceId: 'kiosk-1', storeId: DEMO_STORE_ID, online: true, printer: null, reader: null, outboxDepth: null }]);
    state('kiosk-1', printer);
    await settle();
    expect(events.at(-1)).toMatchObject({ online: true, printer: 'ready', reader: 'ready', outboxDepth: 0 });
    state('kiosk-1', printer); // the same again
    recorder.seen('kiosk-1'); // a sign of life only
    await settle();
    expect(events).toHaveLength(2);
    state('kiosk-1', { ...printer, paperNearEnd: true });
    await settle();
    state('kiosk-1', { ...printer, paperOut: true }, 3);
    await settle();
    state('kiosk-2', { ...printer, connected: false });
    await settle();
    recorder.receiveAvailability('kiosk-1', Buffer.from('offline'), false);
    await settle();
    expect(events.slice(2).map((e) => [e.deviceId, e.storeId, e.online, e.printer, e.outboxDepth])).toEqual([
      ['kiosk-1', DEMO_STORE_ID, true, 'paper_low', 0],
      ['kiosk-1', DEMO_STORE_ID, true, 'paper_out', 3],
      ['kiosk-2', null, false, 'offline', 0],
      ['kiosk-1', DEMO_STORE_ID, false, 'paper_out', 3],
    ]);
  });

  it('keeps recording when the events cannot be sent', async () => {
    const { recorder, state, settle } = await setUp();
    const broken = createHubFlowEvents({
      emit: () => {
        throw new Error('the child is gone');
      },
      logger: silent,
    });
    recorder.onRecorded((status, change) => broken.deviceRecorded(status, change));
    state('kiosk-3', { ...printer, paperOut: true });
    await settle();
    await broken.settled();
    state('kiosk-3', printer, 5);
    await settle();
    expect((await recorder.list()).find((s) => s.deviceId === 'kiosk-3')).toMatchObject({ outboxDepth: 5 });
    expect(recorder.counters().writeFailures).toBe(0);
  });
});
