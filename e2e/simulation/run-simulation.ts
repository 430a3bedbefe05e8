/**
 * One seeded run of a kiosk and a hub over a simulated network and clock (see sim-network.ts for what the
 * network may do), checking the delivery guarantee end to end:
 *
 * - the kiosk: the real outbox (device/outbox/sqlite-outbox.ts on a file, its disk) and the real delivery
 *   machine (device/link/delivery-machine.ts) wired as hub-link.ts wires them, with mqtt.js's behaviour
 *   modelled (outgoing store resent after every reconnect, reconnect backoff with jitter). A crash loses the
 *   machine and the client's memory; the outbox file stays. Sales are appended at random times, in the plan's
 *   order (a sale waits while the kiosk is down);
 * - the hub: the real apply logic on the real SQLite write port (sim-ledger.ts), batches of what arrived
 *   while it was busy, results published after the commit, `online` announced (retained) after every
 *   (re)subscription, last will `offline`. A crash loses the queue and the batch in flight; the ledger stays.
 *   With an embedded broker (half the seeds) the broker dies with it;
 * - another sender under the kiosk's device id (a cloned kiosk) now and then takes one of its seqs, which
 *   closes the epoch at the hub and makes the kiosk move its pending entries to a new one.
 *
 * After the faults stop, the run must drain, and then: every sale applied exactly once, in the kiosk's order
 * (append order overall, seq order within each epoch, every slot filled once), each outcome and every balance
 * equal to the same sales applied once in order on a fresh ledger (and the stored value to the plan's own
 * arithmetic), the journal audit clean, every outbox entry closed once on a recorded result, never more than
 * `window` sends unanswered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { resultsOf, type TxResult } from '../../core/wire/result.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { createDeliveryMachine, runDelivery, type DeliveryEffects, type DeliveryEvent, type DeliveryMachine } from '../../device/link/delivery-machine.ts';
import { outboxView } from '../../device/link/outbox-view.ts';
import { openOutbox, type Outbox, type TxBodyInput } from '../../device/outbox/sqlite-outbox.ts';
import { resultMessages } from '../../hub/ingest/result-messages.ts';
import { createPrng, type Prng } from './prng.ts';
import { Scheduler } from './scheduler.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { applyInOrder, ROGUE_MEMBER, SIM_BASE_TIME, SIM_DEVICE_ID, SIM_MEMBERS, SIM_STAFF_ACTOR, SIM_STORE_ID, SimLedger } from './sim-ledger.ts';
import { Broker, SimMqttClient } from './sim-network.ts';

const DEVICE = SIM_DEVICE_ID;
const BASE_TIME = SIM_BASE_TIME;
const topics = createTopics();
const silent = pino({ level: 'silent' });

export interface SimConfig {
  seed: number;
  sales: number;
  window: number;
  stallResendMs: number;
  appendSpanMs: number;
  latencyMs: [number, number];
  hubCostPerTxMs: number;
  embeddedBroker: boolean;
  /** Beyond MQTT: packets of one connection may overtake each other. */
  reorder: boolean;
  faults: Fault[];
}

type Fault =
  | { at: number; kind: 'kiosk-crash' | 'hub-crash' | 'broker-restart'; downMs: number }
  | { at: number; kind: 'kiosk-drop' | 'hub-drop'; clientNoticesMs: number; brokerNoticesMs: number }
  | { at: number; kind: 'hub-stall'; ms: number }
  | { at: number; kind: 'other-sender'; takeNext: boolean };

export interface SimStats {
  simulatedMs: number;
  steps: number;
  /** Transaction publishes by the kiosk's machine (first sends and resends). */
  sends: number;
  rewinds: Record<string, number>;
  epochMoves: number;
  /** From the end of the last fault (or the last sale) to the outbox drained (0 when it was drained by then). */
  drainMs: number;
  /** Append to close, per sale: what a customer waiting for a confirmation sees. */
  closeLatencyMs: number[];
  hubBatches: number;
}

export interface SimOutcome {
  seed: number;
  ok: boolean;
  failures: string[];
  config: SimConfig;
  stats: SimStats;
  trace: string[];
}

let scratchDir: string | null = null;
function scratch(): string {
  // tmpfs when there is one: the outbox fsyncs at every append, and the simulation appends a great deal.
  scratchDir ??= mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'memberkiosk-sim-'));
  return scratchDir;
}

export function removeScratch(): void {
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  scratchDir = null;
}

export function configFor(seed: number): SimConfig {
  const rng = createPrng(seed).fork('config');
  const sales = rng.chance(0.05) ? rng.int(60, 150) : rng.int(1, 30);
  const appendSpanMs = rng.pick([200, 2_000, 10_000, 30_000]);
  const latencyLow = rng.pick([0, 1, 5]);
  const latencyMs: [number, number] = [latencyLow, latencyLow + rng.pick([0, 3, 30, 300])];
  const embeddedBroker = rng.chance(0.5);
  const faults: Fault[] = [];
  const span = appendSpanMs + 5_000;
  const calm = rng.chance(0.1);
  const count = (max: number) => (calm ? 0 : rng.int(0, max));
  const at = () => rng.int(0, span);
  for (let i = count(2); i > 0; i--) faults.push({ at: at(), kind: 'kiosk-crash', downMs: rng.pick([100, 1_000, 5_000, 20_000]) });
  for (let i = count(2); i > 0; i--) faults.push({ at: at(), kind: 'hub-crash', downMs: rng.pick([50, 500, 3_000, 20_000]) });
  if (!embeddedBroker) for (let i = count(1); i > 0; i--) faults.push({ at: at(), kind: 'broker-restart', downMs: rng.pick([100, 2_000, 10_000]) });
  for (let i = count(3); i > 0; i--) faults.push({ at: at(), kind: 'kiosk-drop', clientNoticesMs: rng.int(0, 5_000), brokerNoticesMs: rng.int(0, 5_000) });
  for (let i = count(2); i > 0; i--) faults.push({ at: at(), kind: 'hub-drop', clientNoticesMs: rng.int(0, 5_000), brokerNoticesMs: rng.int(0, 5_000) });
  for (let i = count(2); i > 0; i--) faults.push({ at: at(), kind: 'hub-stall', ms: rng.pick([300, 3_000, 8_000]) });
  if (rng.chance(0.25)) for (let i = rng.int(1, 2); i > 0; i--) faults.push({ at: at(), kind: 'other-sender', takeNext: rng.chance(0.6) });
  faults.sort((a, b) => a.at - b.at);
  return {
    seed,
    sales,
    window: rng.pick([1, 2, 3, 5, 10, 100]),
    stallResendMs: rng.pick([500, 2_000, 5_000]),
    appendSpanMs,
    latencyMs,
    hubCostPerTxMs: rng.pick([0.05, 0.5, 5]),
    embeddedBroker,
    reorder: rng.chance(0.05),
    faults,
  };
}

interface PlannedSale {
  body: TxBodyInput;
  /** What the plan's own arithmetic says the hub will decide. */
  expect: 'applied' | 'INSUFFICIENT_STORED_VALUE';
}

function planSales(rng: Prng, count: number): { sales: PlannedSale[]; storedValue: Map<string, number> } {
  const storedValue = new Map<string, number>(SIM_MEMBERS.map((m) => [m.memberId, 0]));
  const sales: PlannedSale[] = [];
  for (let i = 0; i < count; i++) {
    const member = rng.pick(SIM_MEMBERS);
    const roll = rng.next();
    const cents = rng.int(1, 300) * 100;
    if (roll < 0.35) {
      sales.push({ body: { kind: 'top_up', cardUid: member.card, amountCents: cents, tender: 'cash', actor: SIM_STAFF_ACTOR }, expect: 'applied' });
      storedValue.set(member.memberId, storedValue.get(member.memberId)! + cents);
      continue;
    }
    const method = roll < 0.7 ? 'stored_value' : 'cash';
    sales.push({
      body: { kind: 'purchase', cardUid: member.card, lines: [{ lineNo: 1, sku: `SKU-${i}`, category: 'grocery', qty: 1, unitPriceCents: cents }], payments: [{ method, amountCents: cents }] },
      expect: method === 'cash' || storedValue.get(member.memberId)! >= cents ? 'applied' : 'INSUFFICIENT_STORED_VALUE',
    });
    // Order matters: whether a spend is covered depends on every top-up and spend before it.
    if (method === 'stored_value' && storedValue.get(member.memberId)! >= cents) storedValue.set(member.memberId, storedValue.get(member.memberId)! - cents);
  }
  return { sales, storedValue };
}

export function runSimulation(seed: number, options: { trace?: boolean } = {}): SimOutcome {
  const config = configFor(seed);
  const root = createPrng(seed);
  const netRng = root.fork('network');
  const kioskRng = root.fork('kiosk');
  const hubRng = root.fork('hub');
  const saleRng = root.fork('sales');
  const otherRng = root.fork('other-sender');
  const tracing = options.trace === true;
  const lines: string[] = [];
  const sched = new Scheduler();
  const iso = (t = sched.now) => new Date(BASE_TIME + t).toISOString();
  const trace = (line: () => string) => {
    if (tracing) lines.push(`${String(sched.now).padStart(7)} ms  ${line()}`);
  };
  const failures: string[] = [];
  const fail = (message: string) => {
    if (failures.length < 20) failures.push(message);
    trace(() => `FAILURE ${message}`);
  };
  const failOrder = (message: string) => fail(`order: ${message}`);
  const stats: SimStats = { simulatedMs: 0, steps: 0, sends: 0, rewinds: {}, epochMoves: 0, drainMs: 0, closeLatencyMs: [], hubBatches: 0 };
  const appendedAt = new Map<string, number>();

  // Readable names for ids and epochs (ULIDs differ from run to run; the events do not).
  const labels = new Map<string, string>();
  const epochLabels = new Map<string, string>();
  const label = (id: string | null) => (id === null ? '?' : (labels.get(id) ?? `other:${id.slice(-4)}`));
  const epochLabel = (epoch: string) => {
    let name = epochLabels.get(epoch);
    if (!name) epochLabels.set(epoch, (name = `E${epochLabels.size + 1}`));
    return name;
  };
  const slotOf = (payload: string) => {
    const p = JSON.parse(payload) as { id: string; epoch: string; seq: number };
    return `${label(p.id)}@${epochLabel(p.epoch)}/${p.seq}`;
  };
  const describe = (r: TxResult) => `${label(r.id)}@${r.epoch === undefined ? '-' : epochLabel(r.epoch)}/${r.seq} ${r.status}${r.code ? ` ${r.code}` : ''}${r.status === 'exists' ? ` (${r.original})` : ''}${r.retry ? ' retry' : ''}${r.recorded === false ? ' unrecorded' : ''}`;

  const broker = new Broker(sched, netRng, {
    latency: () => netRng.int(config.latencyMs[0], config.latencyMs[1]),
    reorder: config.reorder,
    trace: (line) => trace(() => line),
  });
  const equalJitter = (rng: Prng, initialMs: number, maxMs: number, exponent: number) => {
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(exponent, 16));
    return Math.max(1, Math.round(ceiling / 2 + rng.next() * (ceiling / 2)));
  };

  // ---------------------------------------------------------------- the hub's disk and process
  const ledger = new SimLedger();
  const hub = {
    alive: false,
    life: 0,
    apply: null as ReturnType<SimLedger['openProcess']> | null,
    client: null as SimMqttClient | null,
    queue: [] as { topicDeviceId: string; payload: string; receivedAt: string }[],
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
          hub.queue.push({ topicDeviceId: route.deviceId, payload, receivedAt: iso() });
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

  function commit(life: number, batch: { topicDeviceId: string; payload: string; receivedAt: string }[]): void {
    if (life !== hub.life || !hub.alive || !hub.apply || !hub.client) {
      trace(() => `hub: batch of ${batch.length} lost with the process`);
      return;
    }
    let results: TxResult[];
    try {
      results = hub.apply(batch, iso());
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

  // ---------------------------------------------------------------- the kiosk's disk and process
  const outboxPath = join(scratch(), `kiosk-${seed}-${process.pid}.sqlite`);
  rmSync(outboxPath, { force: true });
  const kiosk = {
    alive: false,
    life: 0,
    outbox: null as Outbox | null,
    machine: null as DeliveryMachine | null,
    client: null as SimMqttClient | null,
    connected: false,
    results: [] as TxResult[],
    wakeToken: 0,
    epoch: '',
  };
  const closedCount = new Map<string, number>();
  const appended: { id: string; payload: string; createdAt: string; sale: PlannedSale }[] = [];

  function dispatch(event: DeliveryEvent): void {
    const machine = kiosk.machine;
    if (!machine || !kiosk.outbox) return;
    runDelivery(machine, event, kioskEffects);
    const snapshot = machine.snapshot();
    if (snapshot.inFlight > config.window) fail(`${snapshot.inFlight} sends unanswered, window is ${config.window}`);
  }

  const kioskEffects: DeliveryEffects = {
    publish(entries) {
      for (const entry of entries) {
        stats.sends += 1;
        trace(() => `kiosk: sends ${slotOf(entry.payload)}`);
        kiosk.client?.publish(topics.tx(DEVICE), entry.payload);
      }
    },
    record: (items) => kiosk.outbox!.markDone(items),
    moveToNewEpoch: () => {
      const moved = kiosk.outbox!.moveToNewEpoch();
      kiosk.epoch = moved.epoch;
      epochLabel(moved.epoch);
      stats.epochMoves += 1;
      trace(() => `kiosk: moves ${moved.moved} pending entries to epoch ${epochLabel(moved.epoch)}`);
      return moved;
    },
    closed(result) {
      if (result.id === null) return;
      closedCount.set(result.id, (closedCount.get(result.id) ?? 0) + 1);
      const since = appendedAt.get(result.id);
      if (since !== undefined) stats.closeLatencyMs.push(sched.now - since);
      if (result.status === 'rejected' && result.recorded !== true) fail(`${label(result.id)} closed on an unrecorded refusal ${result.code}`);
      trace(() => `kiosk: closed ${describe(result)}`);
    },
    alert: (code, detail) =>
      trace(() => `kiosk: alert ${code} ${JSON.stringify({ ...detail, txId: detail.txId === undefined ? undefined : label(typeof detail.txId === 'string' ? detail.txId : JSON.stringify(detail.txId)), epoch: typeof detail.epoch === 'string' ? epochLabel(detail.epoch) : undefined })}`),
    reportState: () => undefined,
    wake(at) {
      kiosk.wakeToken += 1;
      const token = kiosk.wakeToken;
      const life = kiosk.life;
      sched.at(at, () => {
        if (kiosk.alive && kiosk.life === life && kiosk.wakeToken === token) dispatch({ type: 'tick' });
      });
    },
    log(level, fields, msg) {
      if (msg === 'resending from the oldest pending transaction') {
        const reason = String(fields.reason);
        stats.rewinds[reason] = (stats.rewinds[reason] ?? 0) + 1;
      }
      if (level !== 'debug') trace(() => `kiosk: ${msg} ${JSON.stringify(fields)}`);
    },
  };

  function kioskStart(): void {
    kiosk.alive = true;
    kiosk.life += 1;
    const outbox = openOutbox({ path: outboxPath, deviceId: DEVICE, storeId: SIM_STORE_ID, logger: silent, now: () => BASE_TIME + sched.now, bundleVersion: () => 1 });
    kiosk.outbox = outbox;
    kiosk.epoch = outbox.epoch();
    epochLabel(kiosk.epoch);
    kiosk.connected = false;
    kiosk.results = [];
    kiosk.machine = createDeliveryMachine({ view: outboxView(outbox), now: () => sched.now, window: config.window, stallResendMs: config.stallResendMs });
    const life = kiosk.life;
    let failuresInARow = 0;
    const client: SimMqttClient = new SimMqttClient(
      sched,
      broker,
      kioskRng,
      {
        clientId: DEVICE,
        filters: [topics.txResult(DEVICE), topics.response(DEVICE, '+'), topics.hubAvailability],
        // device/link/reconnect-backoff.ts: equal jitter, doubling from 1 s to 30 s, reset on connect.
        reconnectDelay: (failures) => {
          failuresInARow = failures;
          return equalJitter(kioskRng, 1_000, 30_000, failuresInARow);
        },
      },
      {
        ready: () => {
          if (kiosk.life !== life) return;
          kiosk.connected = true;
          trace(() => 'kiosk: connected and subscribed');
          dispatch({ type: 'connected' });
        },
        closed: () => {
          if (kiosk.life !== life || !kiosk.connected) return;
          kiosk.connected = false;
          trace(() => 'kiosk: disconnected');
          dispatch({ type: 'disconnected' });
        },
        message: (topic, payload, retain) => {
          if (kiosk.life !== life) return;
          if (topic === topics.txResult(DEVICE)) {
            const results = resultsOf(JSON.parse(payload));
            if (!results) {
              fail('the hub sent a malformed result');
              return;
            }
            // One pass of the event loop: everything that arrives at this instant is one outbox commit.
            if (kiosk.results.length === 0) sched.after(0, () => flushResults(life));
            kiosk.results.push(...results);
          } else if (topic === topics.hubAvailability) {
            trace(() => `kiosk: hub availability ${payload}${retain ? ' (retained)' : ''}`);
            if (payload === 'online' && !retain && kiosk.connected) dispatch({ type: 'hub-online' });
          }
        },
      },
    );
    kiosk.client = client;
    trace(() => `kiosk: process starts (life ${life}), ${outbox.depth()} pending`);
    client.start();
    dispatch({ type: 'tick' });
  }

  function flushResults(life: number): void {
    if (kiosk.life !== life || !kiosk.alive) return;
    const results = kiosk.results;
    kiosk.results = [];
    trace(() => `kiosk: results [${results.map(describe).join(', ')}]`);
    dispatch({ type: 'results', results });
  }

  function kioskCrash(): void {
    if (!kiosk.alive) return;
    trace(() => `kiosk: CRASH (${kiosk.outbox?.depth()} pending stay in the outbox)`);
    kiosk.alive = false;
    kiosk.life += 1;
    kiosk.client?.kill();
    kiosk.client = null;
    kiosk.machine = null;
    kiosk.outbox?.close();
    kiosk.outbox = null;
    kiosk.connected = false;
  }

  // ---------------------------------------------------------------- sales
  const plan = planSales(saleRng, config.sales);
  let nextSale = 0;
  let lastSaleAt = 0;
  function appendNext(): void {
    if (nextSale >= plan.sales.length) return;
    if (!kiosk.alive || !kiosk.outbox) {
      // Nobody sells on a dead kiosk: the customer waits.
      sched.after(saleRng.int(100, 1_000), appendNext);
      return;
    }
    const sale = plan.sales[nextSale]!;
    nextSale += 1;
    const tx = kiosk.outbox.append(sale.body);
    lastSaleAt = sched.now;
    labels.set(tx.id, `T${nextSale}`);
    appendedAt.set(tx.id, sched.now);
    appended.push({ id: tx.id, payload: kiosk.outbox.get(tx.id)!.payload, createdAt: tx.createdAt, sale });
    trace(() => `kiosk: append T${nextSale} (${sale.body.kind}) at ${epochLabel(tx.epoch)}/${tx.seq}`);
    dispatch({ type: 'appended' });
    const gap = saleRng.chance(0.3) ? 0 : saleRng.int(0, Math.ceil((2 * config.appendSpanMs) / Math.max(1, config.sales)));
    sched.after(gap, appendNext);
  }

  // ---------------------------------------------------------------- the other sender
  const otherUlid = createUlidFactory(() => BASE_TIME + sched.now, (n) => otherRng.bytes(n));
  let otherSenders = 0;
  function otherSender(takeNext: boolean): void {
    otherSenders += 1;
    const epoch = kiosk.epoch;
    const last = ledger.lastSeq(DEVICE, epoch);
    const seq = takeNext || last === 0 ? last + 1 : otherRng.int(1, last);
    const id = otherUlid();
    labels.set(id, `X${otherSenders}`);
    const payload = JSON.stringify({
      v: TX_FORMAT, id, deviceId: DEVICE, epoch, seq, kind: 'top_up', createdAt: iso(), storeId: SIM_STORE_ID, bundleVersion: 1,
      // A clone of the kiosk holds what the kiosk holds, its staff session too.
      cardUid: ROGUE_MEMBER.card, amountCents: 100, tender: 'cash', actor: SIM_STAFF_ACTOR,
    });
    trace(() => `other sender: connects as ${DEVICE} and sends X${otherSenders}@${epochLabel(epoch)}/${seq}`);
    // A cloned kiosk uses the same client id: connecting takes the session over (the kiosk is disconnected).
    const client: SimMqttClient = new SimMqttClient(sched, broker, otherRng, { clientId: DEVICE, filters: [], reconnectDelay: () => 1_000 }, {
      ready: () => {
        client.publish(topics.tx(DEVICE), payload);
        sched.after(otherRng.int(20, 500), () => client.end());
      },
      closed: () => undefined,
      message: () => undefined,
    });
    client.start();
    sched.after(5_000, () => client.end());
  }

  // ---------------------------------------------------------------- faults
  let lastFaultEnd = 0;
  for (const fault of config.faults) {
    sched.at(fault.at, () => {
      switch (fault.kind) {
        case 'kiosk-crash':
          if (!kiosk.alive) return;
          kioskCrash();
          sched.after(fault.downMs, kioskStart);
          break;
        case 'hub-crash':
          if (!hub.alive) return;
          hubCrash();
          sched.after(fault.downMs, () => {
            if (config.embeddedBroker) {
              trace(() => 'broker: starts (embedded)');
              broker.restart();
            }
            hubStart();
          });
          break;
        case 'broker-restart':
          if (!broker.alive) return;
          trace(() => 'broker: CRASH');
          broker.crash();
          sched.after(fault.downMs, () => {
            trace(() => 'broker: starts');
            broker.restart();
          });
          break;
        case 'kiosk-drop':
          if (kiosk.client?.dropConnection(fault.clientNoticesMs, fault.brokerNoticesMs)) trace(() => `network: kiosk connection dies (kiosk notices in ${fault.clientNoticesMs} ms, broker in ${fault.brokerNoticesMs} ms)`);
          break;
        case 'hub-drop':
          if (hub.client?.dropConnection(fault.clientNoticesMs, fault.brokerNoticesMs)) trace(() => `network: hub connection dies (hub notices in ${fault.clientNoticesMs} ms, broker in ${fault.brokerNoticesMs} ms)`);
          break;
        case 'hub-stall':
          if (!hub.alive) return;
          trace(() => `hub: busy for ${fault.ms} ms (a slow disk, a long pause)`);
          hub.busyUntil = Math.max(hub.busyUntil, sched.now) + fault.ms;
          break;
        case 'other-sender':
          otherSender(fault.takeNext);
          break;
      }
    });
    const end = fault.at + ('downMs' in fault ? fault.downMs : 'ms' in fault ? fault.ms : 'clientNoticesMs' in fault ? Math.max(fault.clientNoticesMs, fault.brokerNoticesMs) : 1_000);
    lastFaultEnd = Math.max(lastFaultEnd, end);
  }

  // ---------------------------------------------------------------- run
  hubStart();
  kioskStart();
  sched.after(saleRng.int(0, 1_000), appendNext);
  // After the last fault the kiosk may wait out a reconnect backoff (≤ 30 s) and a stall (≤ 5 s): 3 minutes is ample.
  const deadline = Math.max(lastFaultEnd, config.appendSpanMs * 3) + 180_000;
  const maxSteps = 2_000_000;
  let drainedAt: number | null = null;
  try {
    while (sched.step()) {
      if (sched.now > deadline || sched.steps > maxSteps) break;
      if (nextSale >= plan.sales.length && kiosk.alive && kiosk.outbox && kiosk.outbox.depth() === 0 && sched.now >= lastFaultEnd) {
        drainedAt = sched.now;
        break;
      }
    }
    // Nothing left to happen (no timer, no packet on the way): time passes freely to the end of the faults.
    if (drainedAt === null && sched.nextTime() === null && nextSale >= plan.sales.length && kiosk.alive && kiosk.outbox?.depth() === 0) drainedAt = sched.now;
  } catch (error) {
    fail(`threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  stats.simulatedMs = sched.now;
  stats.steps = sched.steps;
  stats.drainMs = drainedAt === null ? -1 : Math.max(0, drainedAt - Math.max(lastFaultEnd, lastSaleAt));

  // ---------------------------------------------------------------- checks
  try {
    if (drainedAt === null) {
      const depth = kiosk.outbox?.depth() ?? '?';
      fail(sched.steps > maxSteps ? `no end after ${maxSteps} steps (a spin?)` : `not drained ${Math.round((deadline - lastFaultEnd) / 1000)} s after the last fault: ${nextSale}/${plan.sales.length} sold, ${depth} pending`);
    } else {
      checkOutcome();
    }
  } finally {
    kiosk.outbox?.close();
    ledger.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(outboxPath + suffix, { force: true });
  }

  function checkOutcome(): void {
    const ids = appended.map((a) => a.id);
    const mine = new Set(ids);
    // Exactly once, in the kiosk's order.
    const firstApplications = ledger.applied.filter((r) => mine.has(r.id)).map((r) => r.id);
    if (firstApplications.length !== ids.length || firstApplications.some((id, i) => id !== ids[i])) {
      const counts = new Map<string, number>();
      for (const id of firstApplications) counts.set(id, (counts.get(id) ?? 0) + 1);
      const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => label(id));
      const missing = ids.filter((id) => !counts.has(id)).map(label);
      failOrder(`ledger order ${firstApplications.map(label).join(' ')} ≠ append order ${ids.map(label).join(' ')}${twice.length ? `; twice: ${twice.join(' ')}` : ''}${missing.length ? `; missing: ${missing.join(' ')}` : ''}`);
    }
    // Seq order within each epoch, and every slot filled exactly once.
    const lastSeqOf = new Map<string, number>();
    for (const record of ledger.applied) {
      if (record.deviceId !== DEVICE) continue;
      const last = lastSeqOf.get(record.epoch) ?? 0;
      if (record.seq <= last) failOrder(`${label(record.id)} applied at ${epochLabel(record.epoch)}/${record.seq} after /${last}`);
      lastSeqOf.set(record.epoch, record.seq);
    }
    for (const problem of ledger.slotGaps(DEVICE)) fail(problem);
    // Outcomes and balances equal the same sales applied once, in order, on a fresh ledger.
    const golden = applyInOrder(appended, DEVICE);
    try {
      appended.forEach((a, i) => {
        const want = golden.results[i]!;
        const wantCode = want.status === 'applied' ? 'applied' : (want.code ?? '?');
        const planned = a.sale.expect;
        if (wantCode !== planned) fail(`${label(a.id)}: in order it is ${wantCode}, the plan said ${planned}`);
        const row = ledger.transactionRow(a.id);
        const got = row ? (row.status === 'applied' ? 'applied' : (row.code ?? '?')) : 'missing';
        if (got !== wantCode) failOrder(`${label(a.id)}: the ledger holds ${got}, in order it is ${wantCode}`);
        const entry = kiosk.outbox?.get(a.id);
        const closedOn = entry?.result ? (entry.result.status === 'rejected' ? (entry.result.code ?? '?') : entry.result.status === 'exists' ? (entry.result.original === 'rejected' ? (entry.result.code ?? '?') : 'applied') : 'applied') : 'none';
        if (entry?.status !== 'done') fail(`${label(a.id)} is still ${entry?.status ?? 'missing'} in the outbox`);
        else if (closedOn !== wantCode) failOrder(`${label(a.id)} closed on ${closedOn}, in order it is ${wantCode}`);
        const closes = closedCount.get(a.id) ?? 0;
        if (closes !== 1) fail(`${label(a.id)} closed ${closes} times`);
      });
      const want = golden.ledger.balances();
      const got = ledger.balances();
      for (const key of new Set([...want.keys(), ...got.keys()])) {
        if ((want.get(key) ?? 0) !== (got.get(key) ?? 0)) failOrder(`balance ${key}: ledger ${got.get(key) ?? 0}, in order ${want.get(key) ?? 0}`);
      }
      for (const m of SIM_MEMBERS) {
        const stored = got.get(`${m.memberId}/stored_value`) ?? 0;
        if (stored !== plan.storedValue.get(m.memberId)) failOrder(`stored value of ${m.memberId}: ledger ${stored}, plan ${plan.storedValue.get(m.memberId)}`);
      }
    } finally {
      golden.ledger.close();
    }
    // A kiosk entry applied right after another sender's transaction in the same epoch: every entry names its
    // predecessor (prevId), so the hub must refuse it and close the epoch instead.
    ledger.applied.forEach((record) => {
      if (!mine.has(record.id) || record.seq <= 1) return;
      const before = ledger.slotHolder(DEVICE, record.epoch, record.seq - 1);
      if (before === null || mine.has(before)) return;
      fail(`${label(record.id)} applied at ${epochLabel(record.epoch)}/${record.seq}, right after ${label(before)} of another sender at /${record.seq - 1}`);
    });
    const findings = ledger.audit();
    if (findings.length > 0) fail(`journal audit: ${JSON.stringify(findings.slice(0, 3))}`);
    if (ledger.defects > 0) fail(`${ledger.defects} transactions recorded as INTERNAL`);
    if (stats.epochMoves > 0 && otherSenders === 0) fail(`${stats.epochMoves} epoch moves without another sender`);
  }

  return { seed, ok: failures.length === 0, failures, config, stats, trace: lines };
}
