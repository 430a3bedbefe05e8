/**
 * The simulated hub process: the real apply logic on the real SQLite write port (sim-ledger.ts), batches of
 * what arrived while it was busy, results published after the commit, `online` announced (retained) after
 * every (re)subscription, last will `offline`. A crash loses the queue and the batch in flight; the ledger
 * stays. With an embedded broker the broker dies with it.
 */
import type { TxResult } from '../../core/wire/result.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { resultMessages } from '../../hub/ingest/result-messages.ts';
import type { Prng } from './prng.ts';
import { equalJitter } from './reconnect-jitter.ts';
import type { SimLedger } from './sim-ledger.ts';
import { SimMqttClient } from './sim-network.ts';
import type { SimRun } from './sim-run-context.ts';

const topics = createTopics();

type Received = { topicDeviceId: string; payload: string; receivedAt: string };

/** What the hub process holds in memory; `life` counts starts, so a callback from an earlier life does nothing. */
export interface HubState {
  alive: boolean;
  life: number;
  apply: ReturnType<SimLedger['openProcess']> | null;
  client: SimMqttClient | null;
  queue: Received[];
  flushScheduled: boolean;
  /** Until when the process is busy (a batch committing, a stall): the next batch waits. */
  busyUntil: number;
}

export interface SimHub {
  readonly state: HubState;
  start: () => void;
  crash: () => void;
}

export function createSimHub(run: SimRun, ledger: SimLedger, hubRng: Prng): SimHub {
  const { sched, broker, config, stats, trace, fail } = run;
  const { describe } = run.names;
  const hub: HubState = {
    alive: false,
    life: 0,
    apply: null,
    client: null,
    queue: [],
    flushScheduled: false,
    busyUntil: 0,
  };

  function hubStart(): void {
    hub.alive = true;
    hub.life += 1;
    hub.apply = ledger.openProcess();
    hub.queue = [];
    hub.flushScheduled = false;
    hub.busyUntil = sched.now;
    const life = hub.life;
    const client: SimMqttClient = new SimMqttClient(
      sched,
      broker,
      hubRng,
      {
        clientId: `hub-${life}`,
        will: { topic: topics.hubAvailability, payload: 'offline', retain: true },
        filters: [topics.allTx, topics.allRequests],
        reconnectDelay: (failures) => equalJitter(hubRng, 500, 30_000, failures - 1),
      },
      {
        // After every (re)subscription: devices should resend what they hold.
        ready: () => {
          trace(() => 'hub: subscribed; announces online');
          client.publish(topics.hubAvailability, 'online', true);
        },
        closed: () => trace(() => 'hub: lost its broker connection'),
        message: (topic, payload) => {
          const route = topics.parse(topic);
          if (route?.channel !== 'tx' || !hub.alive || hub.life !== life) return;
          hub.queue.push({ topicDeviceId: route.deviceId, payload, receivedAt: run.iso() });
          scheduleFlush();
        },
      },
    );
    hub.client = client;
    trace(() => `hub: process starts (life ${life})`);
    client.start();
  }

  function scheduleFlush(): void {
    if (hub.flushScheduled) return;
    hub.flushScheduled = true;
    const life = hub.life;
    sched.at(Math.max(sched.now, hub.busyUntil), () => flush(life));
  }

  /** Takes what has arrived as one batch; it commits after the time it takes (a crash before that loses it). */
  function flush(life: number): void {
    if (life !== hub.life || !hub.alive) return;
    hub.flushScheduled = false;
    if (hub.queue.length === 0) return;
    if (sched.now < hub.busyUntil) {
      scheduleFlush();
      return;
    }
    const batch = hub.queue.splice(0, 500);
    const cost = 1 + Math.round(batch.length * config.hubCostPerTxMs);
    hub.busyUntil = sched.now + cost;
    sched.at(hub.busyUntil, () => commit(life, batch));
    if (hub.queue.length > 0) scheduleFlush();
  }

  function commit(life: number, batch: Received[]): void {
    if (life !== hub.life || !hub.alive || !hub.apply || !hub.client) {
      trace(() => `hub: batch of ${batch.length} lost with the process`);
      return;
    }
    let results: TxResult[];
    try {
      results = hub.apply(batch, run.iso());
    } catch (error) {
      fail(`hub batch threw: ${String(error)}`);
      return;
    }
    stats.hubBatches += 1;
    trace(() => `hub: committed [${results.map(describe).join(', ')}]`);
    const byDevice = new Map<string, TxResult[]>();
    results.forEach((result, i) => {
      const device = batch[i]!.topicDeviceId;
      byDevice.set(device, [...(byDevice.get(device) ?? []), result]);
    });
    for (const [device, deviceResults] of byDevice) for (const message of resultMessages(deviceResults)) hub.client.publish(topics.txResult(device), message);
    if (hub.queue.length > 0) scheduleFlush();
  }

  function hubCrash(): void {
    if (!hub.alive) return;
    trace(() => `hub: CRASH (queue of ${hub.queue.length} lost${config.embeddedBroker ? ', the embedded broker dies with it' : ''})`);
    hub.alive = false;
    hub.life += 1;
    hub.apply = null;
    hub.queue = [];
    hub.client?.kill();
    hub.client = null;
    if (config.embeddedBroker) broker.crash();
  }

  return { state: hub, start: hubStart, crash: hubCrash };
}
