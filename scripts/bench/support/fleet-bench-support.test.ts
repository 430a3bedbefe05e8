/**
 * The fleet benchmarks' own parts: the paced plan's timetable, the /proc CPU reading, kiosk accounts written into a
 * real Mosquitto's dynamic security file (logins and ACLs checked by the real broker), and a simulated kiosk — the
 * kiosk's real outbox (in-memory SQLite) and hub link on a real aedes broker — against a stand-in hub that answers
 * every transaction `applied` (the fake edge: the real hub is what the benchmarks measure).
 */
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTopics } from '../../../core/wire/topics.ts';
import { createHubLink } from '../../../device/link/hub-link.ts';
import { openOutbox } from '../../../device/outbox/sqlite-outbox.ts';
import { startMosquittoDynsec, type DynsecMosquitto } from '../../../hub/testing/start-mosquitto-dynsec.ts';
import { DynsecFileAccounts } from './dynsec-file-accounts.ts';
import { startLoadGenerators } from './load-generators.ts';
import { schedulePaced } from './load-plan.ts';
import { parseProcStat, treeCpuSeconds } from './proc-cpu.ts';
import { createSimulatedKiosk, type SimulatedKiosk } from './simulated-kiosk.ts';
import { describeIngest, parseWorkerIngest } from './worker-metrics.ts';

const topics = createTopics();
const logger = pino({ level: 'silent' });

describe('the paced plan', () => {
  it('sells each kiosk once a period, phases spread, jitter bounded, every sale inside the run, in time order', () => {
    const startAt = 1_000_000;
    const sales = schedulePaced(10, { seconds: 60, periodMs: 5_000, jitterMs: 1_000 }, startAt);
    expect(sales).toHaveLength(10 * 12);
    for (let k = 0; k < 10; k += 1) {
      const mine = sales.filter((s) => s.kiosk === k).map((s) => s.at);
      expect(mine).toHaveLength(12);
      mine.forEach((at, n) => expect(Math.abs(at - Math.min(startAt + 60_000, Math.max(startAt, startAt + (k / 10 + n) * 5_000)))).toBeLessThanOrEqual(500));
    }
    expect(sales.every((s) => s.at >= startAt && s.at <= startAt + 60_000)).toBe(true);
    expect(sales.map((s) => s.at)).toEqual([...sales.map((s) => s.at)].sort((a, b) => a - b));
    // Deterministic: the same plan sells at the same moments; another seed does not.
    expect(schedulePaced(10, { seconds: 60, periodMs: 5_000, jitterMs: 1_000 }, startAt)).toEqual(sales);
    expect(schedulePaced(10, { seconds: 60, periodMs: 5_000, jitterMs: 1_000 }, startAt, 2)).not.toEqual(sales);
  });
});

describe('CPU seconds from /proc', () => {
  it('reads utime, stime, cutime and cstime past a command name with spaces and parentheses', () => {
    const line = '4242 (mosquitto (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 130 7 3 20 0 1 0 100 1000 10';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 1, own: 380, reaped: 10 });
  });

  it('counts this process: its CPU time grows with work', () => {
    const before = treeCpuSeconds(process.pid);
    // 300 ms of CPU by Node's own count (not of wall time: on a busy machine the spin gets less than all of it).
    const cpuAtStart = process.cpuUsage();
    let spin = 0;
    while (process.cpuUsage(cpuAtStart).user < 300_000) spin += 1;
    expect(spin).toBeGreaterThan(0);
    // /proc counts in 10 ms ticks.
    expect(treeCpuSeconds(process.pid)).toBeGreaterThan(before + 0.25);
    expect(treeCpuSeconds(2 ** 22 + 1)).toBe(0);
  });
});

describe("the workers' /metrics", () => {
  it('sums each series whatever its labels, and words the change over the run per worker', () => {
    const text = (batches: number, size: number) =>
      [
        '# HELP memberkiosk_ingest_batches_applied_total Batches.',
        `memberkiosk_ingest_batches_applied_total{hub="w1"} ${batches}`,
        `memberkiosk_ingest_batch_size_sum{hub="w1"} ${size}`,
        'memberkiosk_ingest_batch_size_count{hub="w1"} 3',
        `memberkiosk_ingest_batch_apply_seconds_sum{hub="w1"} ${batches * 0.01}`,
        `memberkiosk_tx_receive_to_result_seconds_sum{hub="w1",kind="purchase"} ${size * 0.0375}`,
        `memberkiosk_tx_receive_to_result_seconds_sum{hub="w1",kind="top_up"} ${size * 0.0125}`,
        `memberkiosk_tx_receive_to_result_seconds_count{hub="w1"} ${size}`,
      ].join('\n');
    const before = parseWorkerIngest(text(0, 0));
    const after = parseWorkerIngest(text(4, 40));
    expect(after).toEqual({ batches: 4, transactions: 40, applySeconds: 0.04, receiveToResultSeconds: 2, receiveToResultCount: 40 });
    expect(describeIngest([before], [after])).toBe("workers' /metrics: 4 batches, mean 10.0 tx and 10 ms apply each, received → result published 50 ms mean, tx per worker 40");
    expect(describeIngest([before, before], [after, null])).toBe("workers' /metrics: worker 2 did not answer within 15 s");
  });
});

describe('kiosk accounts written into the dynamic security file (real Mosquitto 2)', () => {
  let broker: DynsecMosquitto | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'mk-dynsec-file-'));

  afterEach(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets each kiosk in with its own secret, refuses a wrong one, and grants only its own topics', async () => {
    broker = await startMosquittoDynsec({ dir });
    const accounts = new DynsecFileAccounts();
    await accounts.addDevice({ deviceId: 'sim-a', storeId: 'store-001', regionId: 'demo-region' }, 'secret-a-0123456789');
    await accounts.addDevice({ deviceId: 'sim-b', storeId: 'store-001', regionId: 'demo-region' }, 'secret-b-0123456789');
    expect(accounts.size).toBe(2);
    await broker.restart(() => accounts.writeInto(join(dir, 'dynsec.json')));

    const a = await mqtt.connectAsync(broker.url('sim-a', 'secret-a-0123456789'), { clientId: 'sim-a', protocolVersion: 4, reconnectPeriod: 0 });
    try {
      expect((await a.subscribeAsync(topics.txResult('sim-a'), { qos: 1 })).map((g) => g.qos)).toEqual([1]);
      // The broker refuses (SUBACK 128) another kiosk's results; mqtt.js rejects on it.
      await expect(a.subscribeAsync(topics.txResult('sim-b'), { qos: 1 })).rejects.toThrow(/Subscribe error/);
    } finally {
      await a.endAsync();
    }
    const wrong = await mqtt
      .connectAsync(broker.url('sim-b', 'not-its-secret'), { clientId: 'sim-b', protocolVersion: 4, reconnectPeriod: 0 })
      .then(async (c) => (await c.endAsync(), 'connected'))
      .catch((error: Error) => error.message);
    expect(wrong).not.toBe('connected');
  });
});

describe('a simulated kiosk (real outbox and hub link) against a stand-in hub that answers applied', () => {
  let server: Server | null = null;
  let aedes: Aedes | null = null;
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()));
  });

  /** A plain aedes with a stand-in hub on it that answers every transaction applied after `answerAfterMs`. */
  async function standInHub(answerAfterMs: number): Promise<{ url: string; answered: string[] }> {
    aedes = await Aedes.createBroker();
    server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
    const hub = await mqtt.connectAsync(url, { clientId: 'stand-in-hub', protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => hub.endAsync());
    await hub.publishAsync(topics.hubAvailability, 'online', { qos: 1, retain: true });
    await hub.subscribeAsync(topics.allTx, { qos: 1 });
    const answered: string[] = [];
    hub.on('message', (topic, payload) => {
      const route = topics.parse(topic);
      const tx = JSON.parse(payload.toString()) as { id: string; seq: number; epoch: string };
      setTimeout(() => {
        answered.push(tx.id);
        hub.publish(topics.txResult(route!.deviceId), JSON.stringify({ id: tx.id, seq: tx.seq, epoch: tx.epoch, status: 'applied', recorded: true }), { qos: 1 });
      }, answerAfterMs);
    });
    return { url, answered };
  }

  async function setUp(answerAfterMs: number): Promise<{ kiosk: SimulatedKiosk; answered: string[] }> {
    const { url, answered } = await standInHub(answerAfterMs);
    const outbox = openOutbox({ path: ':memory:', deviceId: 'sim-1', storeId: 'store-001', logger, bundleVersion: () => 0 });
    const link = createHubLink({ url, deviceId: 'sim-1', outbox, topics, logger, window: 100 });
    await link.start();
    expect(link.isConnected()).toBe(true);
    const kiosk = createSimulatedKiosk({ deviceId: 'sim-1', outbox, link, cards: ['B000000001', 'B000000002'], window: 100 });
    cleanups.push(() => kiosk.close());
    return { kiosk, answered };
  }

  it('times each sale to the result that closed it and counts it applied; the outbox empties', async () => {
    const { kiosk, answered } = await setUp(5);
    for (let i = 0; i < 5; i += 1) kiosk.sell();
    await vi.waitFor(() => expect(kiosk.depth()).toBe(0), { timeout: 5_000, interval: 10 });
    expect(kiosk.sold).toBe(5);
    expect(kiosk.applied).toBe(5);
    expect(answered).toHaveLength(5);
    expect(kiosk.samples).toHaveLength(5);
    expect(kiosk.samples.every((ms) => ms >= 4 && ms < 5_000)).toBe(true);
    expect(kiosk.maxDepth).toBe(5);
    expect(kiosk.refusals).toEqual({});
  });

  it('keeps exactly N sales outstanding while told to, then stops selling and drains', async () => {
    const { kiosk } = await setUp(20);
    let more = true;
    kiosk.keepOutstanding(3, () => more);
    await vi.waitFor(() => expect(kiosk.applied).toBeGreaterThanOrEqual(15), { timeout: 10_000, interval: 10 });
    more = false;
    await vi.waitFor(() => expect(kiosk.depth()).toBe(0), { timeout: 5_000, interval: 10 });
    expect(kiosk.maxDepth).toBe(3);
    expect(kiosk.applied).toBe(kiosk.sold);
    const sold = kiosk.sold;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(kiosk.sold).toBe(sold);
  });

  it('load-generator processes connect their kiosks, run a paced plan at one moment, and report every sale confirmed', async () => {
    const { url, answered } = await standInHub(5);
    const kiosks = Array.from({ length: 12 }, (_, i) => ({ deviceId: `sim-${i}`, username: `sim-${i}`, password: 'unused-by-aedes', storeId: 'store-001' }));
    const load = await startLoadGenerators({ processes: 2, url, caPem: '', kiosks, cards: ['B000000001'], window: 100 });
    cleanups.push(() => load.stop());
    expect(load.pids).toHaveLength(2);
    const done = await load.run({ kind: 'paced', periodMs: 1_000, jitterMs: 200, window: 100, seconds: 2, drainWaitMs: 5_000 }, 500);
    // Dealt round-robin: 6 kiosks each, 2 sales per kiosk.
    expect(done.map((d) => [d.upAtStart, d.sold, d.applied, d.samples.length, d.stillPending, d.overWindow])).toEqual([
      [6, 12, 12, 12, 0, 0],
      [6, 12, 12, 12, 0, 0],
    ]);
    expect(done.every((d) => d.maxDepth >= 1 && d.maxDepth <= 2 && d.drainMs < 5_000)).toBe(true);
    expect(answered).toHaveLength(24);
  }, 60_000);
});
