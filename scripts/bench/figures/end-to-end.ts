/**
 * End-to-end: transactions per second from the device outbox through the embedded broker to the ledger and
 * back as results that close the outbox entries, beside a raw mqtt.js publish-and-echo (QoS 1, the same
 * window) over the same broker. Target: ratio >= 0.8 and >= 4,000 tx/s.
 *
 * Online confirmation latency: one transaction at a time, from the outbox write to its result on the device,
 * p50 and p99 over 2,000 transactions, and p99 over the raw echo's p99 in the same run, the two taken in turns.
 * Target: within 2 ms.
 * Beside it, what tells the disk's part from the code's: the outbox append's own p50/p99, one small fsynced commit's
 * p50/p99 on the same disk, and the same figure again with the hub's data and the outbox in memory (tmpfs).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createTopics } from '../../../core/wire/topics.ts';
import { createHubLink, type HubLink } from '../../../device/link/hub-link.ts';
import { openOutbox, type Outbox } from '../../../device/outbox/sqlite-outbox.ts';
import { startTestHub, type TestHub } from '../../../hub/testing/start-test-hub.ts';
import type { BenchFigure } from '../figure.ts';
import { percentile } from '../support/percentile.ts';
import { enrolForTest, type DeviceCredentials } from '../../../hub/testing/enrol-for-test.ts';
import { benchPurchase } from '../support/bench-purchase.ts';
import { latencyWithKioskApart } from '../support/kiosk-latency-apart.ts';
import { connectRawClient } from '../support/raw-mqtt-client.ts';
import { diskCommitLatencies } from '../support/disk-commit-latency.ts';

const THROUGHPUT_TX = 10_000;
const LATENCY_TX = 2_000;
/** Untimed turns before the timed ones (see deviceLatency). */
const LATENCY_WARM_UP = 200;
const WINDOW = 100;
/** How far the confirmation p99 may lie above the raw echo's p99 (the floor is two fsyncs and a round trip). */
const MAX_P99_OVER_ECHO_MS = 2;
/** Untimed sales and round trips first in the kiosk's own process: its code is cold, the hub's is warm. */
const PROCESS_WARM_UP = 500;
/** Linux's tmpfs, where a commit's fsync returns at once: the figure without the disk. */
const MEMORY_DIR = '/dev/shm';

const purchase = benchPurchase;

export async function measure(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-bench-e2e-'));
  const env = await startTestHub();
  let stopped = false;
  try {
    const echo = await rawEcho(env, THROUGHPUT_TX, WINDOW);
    const throughput = await deviceThroughput(env, join(dir, 'throughput.sqlite'));
    const latency = await deviceLatency(env, join(dir, 'latency.sqlite'));
    const apart = await latencyWithKioskApart(env, { outboxPath: join(dir, 'latency-process.sqlite'), warmUp: PROCESS_WARM_UP, count: LATENCY_TX, credentials: (deviceId) => credentials(env, deviceId) });
    if ((await env.hub.store.audit()).length > 0) throw new Error('journal audit failed after the end-to-end benchmark');
    const disk = diskCommitLatencies(dir, LATENCY_TX);
    // One hub in the process at a time: this one's timers and heap are not in the next measurement.
    await env.dispose();
    stopped = true;
    const inMemory = await latencyInMemory();
    const ratio = throughput / echo;
    return [
      {
        name: 'end-to-end',
        value: throughput,
        unit: 'tx/s',
        baseline: echo,
        ratio,
        target: 'ratio >= 0.8 and >= 4000 tx/s',
        met: ratio >= 0.8 && throughput >= 4000,
        notes: `${THROUGHPUT_TX} purchases pre-written to the outbox, drained with ${WINDOW} in flight until every entry is closed; baseline: mqtt.js QoS 1 publish → echo client → back, ${WINDOW} in flight`,
      },
      {
        name: 'online confirmation p50',
        value: latency.p50,
        unit: 'ms',
        baseline: latency.echoP50,
        ratio: latency.echoP50 / latency.p50,
        target: 'informational',
        met: true,
        notes: 'one at a time: outbox write (fsync) → broker → ledger commit (fsync) → result → outbox closed; baseline: raw echo round trip',
      },
      {
        name: 'online confirmation p99',
        value: latency.p99,
        unit: 'ms',
        baseline: latency.echoP99,
        ratio: latency.echoP99 / latency.p99,
        target: 'p99 < 5 ms',
        met: latency.p99 < 5,
        notes: `${LATENCY_TX} transactions one at a time, each followed by a raw echo round trip (the baseline), after ${LATENCY_WARM_UP} untimed turns`,
      },
      {
        // What the spine adds to the network's own tail: an outbox fsync, a ledger fsync, parsing, planning.
        name: 'online confirmation p99 over raw echo',
        value: latency.p99 - latency.echoP99,
        unit: 'ms',
        baseline: latency.echoP99,
        ratio: MAX_P99_OVER_ECHO_MS / Math.max(0.01, latency.p99 - latency.echoP99),
        target: `p99 − raw echo p99 <= ${MAX_P99_OVER_ECHO_MS} ms`,
        met: latency.p99 - latency.echoP99 <= MAX_P99_OVER_ECHO_MS,
        notes: `same run, same broker, one at a time, sale and echo in turns; ratio = allowed / measured difference (>= 1 is met); outbox append p50 ${ms(latency.appendP50)}, p99 ${ms(latency.appendP99)}; one fsynced commit on this disk p50 ${ms(percentile(disk, 50))}, p99 ${ms(percentile(disk, 99))} (a sale waits for two)`,
      },
      // The same, laid out as a shop runs it: the kiosk (outbox, link, event loop, heap) in a process of its own,
      // the hub and its broker in this one; the raw echo's sender in the kiosk's process too. Informational: the
      // figure the issue names is the one above, with everything in one process.
      informationalOverEcho(
        'online confirmation p99 over raw echo, kiosk in its own process',
        apart,
        `confirmation p50 ${ms(apart.p50)}, p99 ${ms(apart.p99)}; raw echo p50 ${ms(apart.echoP50)}, p99 ${ms(apart.echoP99)}; ${LATENCY_TX} of each one at a time after ${PROCESS_WARM_UP} untimed`,
      ),
      // The code's part: the same sales with no disk under them (fsyncs on tmpfs return at once). What the figure
      // above adds to this is the disk's. Informational: a shop's hub and kiosk write to real disks.
      ...(inMemory
        ? [
            informationalOverEcho(
              'online confirmation p99 over raw echo, databases in memory',
              inMemory,
              `another hub with its data folder and the outbox on tmpfs; confirmation p50 ${ms(inMemory.p50)}, p99 ${ms(inMemory.p99)}; raw echo p50 ${ms(inMemory.echoP50)}, p99 ${ms(inMemory.echoP99)}`,
            ),
          ]
        : []),
    ];
  } finally {
    if (!stopped) await env.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

/** A confirmation p99 over its echo's p99 measured another way, shown without a target. */
function informationalOverEcho(name: string, measured: { p99: number; echoP99: number }, notes: string): BenchFigure {
  const over = measured.p99 - measured.echoP99;
  return { name, value: over, unit: 'ms', baseline: measured.echoP99, ratio: MAX_P99_OVER_ECHO_MS / Math.max(0.01, over), target: 'informational', met: true, notes };
}

/** The one-at-a-time latency on a hub whose data and kiosk outbox are on tmpfs; null where there is none (not Linux). */
async function latencyInMemory(): Promise<Latency | null> {
  if (!existsSync(MEMORY_DIR)) return null;
  const dir = mkdtempSync(join(MEMORY_DIR, 'mk-bench-e2e-'));
  const env = await startTestHub({ dataDir: join(dir, 'hub') });
  try {
    return await deviceLatency(env, join(dir, 'latency.sqlite'));
  } finally {
    await env.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each benchmark kiosk enrolled once per hub (the real enrolment functions); a relink reuses its login. */
const enrolled = new Map<string, Promise<DeviceCredentials>>();
function credentials(env: TestHub, deviceId: string): Promise<DeviceCredentials> {
  // The CA too: a data directory deleted and made again between tests is another hub, with another fleet.
  const key = `${env.caSha256}\n${env.dataDir}\n${deviceId}`;
  const known = enrolled.get(key) ?? enrolForTest(env, deviceId);
  enrolled.set(key, known);
  return known;
}

async function startDevice(env: TestHub, path: string, deviceId: string): Promise<{ outbox: Outbox; link: HubLink }> {
  const logger = pino({ level: 'silent' });
  const outbox = openOutbox({ path, deviceId, storeId: 'store-001', logger, bundleVersion: () => 1 });
  const { username, password } = await credentials(env, deviceId);
  const link = createHubLink({ url: env.brokerUrl, deviceId, outbox, topics: createTopics(), logger, window: WINDOW, clientOptions: { username, password } });
  await link.start();
  return { outbox, link };
}

async function deviceThroughput(env: TestHub, path: string): Promise<number> {
  const { outbox, link } = await startDevice(env, path, 'bench-e2e');
  try {
    await link.stop();
    for (let i = 0; i < THROUGHPUT_TX; i += 500) outbox.appendMany(Array.from({ length: Math.min(500, THROUGHPUT_TX - i) }, (_, k) => purchase(i + k)));
    const { username, password } = await credentials(env, 'bench-e2e');
    const relink = createHubLink({ url: env.brokerUrl, deviceId: 'bench-e2e', outbox, topics: createTopics(), logger: pino({ level: 'silent' }), window: WINDOW, clientOptions: { username, password } });
    const drained = new Promise<void>((resolve) => {
      relink.on('result', () => {
        if (outbox.depth() === 0) resolve();
      });
    });
    const started = performance.now();
    await relink.start();
    relink.kick();
    await drained;
    const seconds = (performance.now() - started) / 1000;
    await relink.stop();
    return THROUGHPUT_TX / seconds;
  } finally {
    outbox.close();
  }
}

interface Latency {
  p50: number;
  p99: number;
  echoP50: number;
  echoP99: number;
  /** The outbox append alone (its commit's fsync included), inside each confirmation. */
  appendP50: number;
  appendP99: number;
}

/**
 * One at a time: a sale (outbox write → hub → result closes it) and a raw echo round trip, taken in turns, so that a
 * busy moment of a shared machine falls on both series alike and the difference of their p99s is the code's and the
 * disk's, not the neighbours'. Both start after LATENCY_WARM_UP untimed turns: the new outbox file, its first pages
 * and the link's first round trips are not what a kiosk that has been selling all day sees.
 */
async function deviceLatency(env: TestHub, path: string): Promise<Latency> {
  const { outbox, link } = await startDevice(env, path, 'bench-latency');
  const echo = await rawEchoPinger(env);
  const samples: number[] = [];
  const appends: number[] = [];
  const echoes: number[] = [];
  try {
    for (let i = 0; i < LATENCY_WARM_UP + LATENCY_TX; i++) {
      const timed = i >= LATENCY_WARM_UP;
      const started = performance.now();
      const tx = outbox.append(purchase(i));
      const appended = performance.now();
      link.kick();
      const result = await link.waitForResult(tx.id, 5_000);
      if (!result || result.status !== 'applied') throw new Error(`latency transaction not applied: ${JSON.stringify(result)}`);
      const confirmed = performance.now();
      const roundTrip = await echo.ping();
      if (!timed) continue;
      appends.push(appended - started);
      samples.push(confirmed - started);
      echoes.push(roundTrip);
    }
  } finally {
    await echo.close();
    await link.stop();
    outbox.close();
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), echoP50: percentile(echoes, 50), echoP99: percentile(echoes, 99), appendP50: percentile(appends, 50), appendP99: percentile(appends, 99) };
}

/** mqtt.js QoS 1 publish → an echo client republishes → back to the sender, `window` in flight. */
async function rawEcho(env: TestHub, count: number, window: number): Promise<number> {
  const url = env.brokerUrl;
  const topics = createTopics();
  const sender = await connectRawClient(url, 'bench-echo-sender', await credentials(env, 'bench-echo-sender'));
  const echoer = await connectRawClient(url, 'bench-echo-hub', env.hub.embeddedBrokerCredentials);
  const payload = JSON.stringify({ ...purchase(1), id: '01JBENCHBENCHBENCHBENCHBEN', deviceId: 'bench-echo-sender', seq: 1 });
  await echoer.subscribeAsync(topics.tx('bench-echo-sender'), { qos: 1 });
  echoer.on('message', (_topic, message) => echoer.publish(topics.txResult('bench-echo-sender'), message, { qos: 1 }));
  await sender.subscribeAsync(topics.txResult('bench-echo-sender'), { qos: 1 });
  let sent = 0;
  let received = 0;
  const done = new Promise<void>((resolve) => {
    sender.on('message', () => {
      received += 1;
      if (received === count) resolve();
      else if (sent < count) {
        sent += 1;
        sender.publish(topics.tx('bench-echo-sender'), payload, { qos: 1 });
      }
    });
  });
  const started = performance.now();
  for (; sent < Math.min(window, count); sent++) sender.publish(topics.tx('bench-echo-sender'), payload, { qos: 1 });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([sender.endAsync(), echoer.endAsync()]);
  return count / seconds;
}

/** A raw QoS 1 round trip on the same broker: publish → an echo client beside the broker republishes → back. */
async function rawEchoPinger(env: TestHub): Promise<{ ping(): Promise<number>; close(): Promise<void> }> {
  const url = env.brokerUrl;
  const topics = createTopics();
  const sender = await connectRawClient(url, 'bench-rtt-sender', await credentials(env, 'bench-rtt-sender'));
  const echoer = await connectRawClient(url, 'bench-rtt-hub', env.hub.embeddedBrokerCredentials);
  await echoer.subscribeAsync(topics.tx('bench-rtt-sender'), { qos: 1 });
  echoer.on('message', (_topic, message) => echoer.publish(topics.txResult('bench-rtt-sender'), message, { qos: 1 }));
  await sender.subscribeAsync(topics.txResult('bench-rtt-sender'), { qos: 1 });
  return {
    async ping() {
      const started = performance.now();
      const back = new Promise<void>((resolve) => sender.once('message', () => resolve()));
      sender.publish(topics.tx('bench-rtt-sender'), '{"ping":true}', { qos: 1 });
      await back;
      return performance.now() - started;
    },
    async close() {
      await Promise.all([sender.endAsync(), echoer.endAsync()]);
    },
  };
}
