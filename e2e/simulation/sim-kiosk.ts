/**
 * The simulated kiosk process: the real outbox (device/outbox/sqlite-outbox.ts on a file, its disk) and the
 * real delivery machine (device/link/delivery-machine.ts) wired as hub-link.ts wires them, with mqtt.js's
 * behaviour modelled (outgoing store resent after every reconnect, reconnect backoff with jitter). A crash
 * loses the machine and the client's memory; the outbox file stays.
 */
import pino from 'pino';
import { resultsOf, type TxResult } from '../../core/wire/result.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { createDeliveryMachine, runDelivery, type DeliveryEffects, type DeliveryEvent, type DeliveryMachine } from '../../device/link/delivery-machine.ts';
import { outboxView } from '../../device/link/outbox-view.ts';
import { openOutbox, type Outbox } from '../../device/outbox/sqlite-outbox.ts';
import type { Prng } from './prng.ts';
import { equalJitter } from './reconnect-jitter.ts';
import { SIM_BASE_TIME, SIM_DEVICE_ID, SIM_STORE_ID } from './sim-ledger.ts';
import { SimMqttClient } from './sim-network.ts';
import type { SimRun } from './sim-run-context.ts';

const DEVICE = SIM_DEVICE_ID;
const BASE_TIME = SIM_BASE_TIME;
const topics = createTopics();
const silent = pino({ level: 'silent' });

/** What the kiosk process holds in memory; `life` counts starts, so a callback from an earlier life does nothing. */
export interface KioskState {
  alive: boolean;
  life: number;
  outbox: Outbox | null;
  machine: DeliveryMachine | null;
  client: SimMqttClient | null;
  connected: boolean;
  /** Results that arrived at this instant, handed to the machine together. */
  results: TxResult[];
  wakeToken: number;
  epoch: string;
}

export interface SimKiosk {
  readonly state: KioskState;
  /** How many times the machine closed each transaction id (must end at exactly once). */
  readonly closedCount: Map<string, number>;
  start: () => void;
  crash: () => void;
  dispatch: (event: DeliveryEvent) => void;
}

export function createSimKiosk(run: SimRun, options: { rng: Prng; outboxPath: string; appendedAt: ReadonlyMap<string, number> }): SimKiosk {
  const { sched, broker, config, stats, trace, fail } = run;
  const { label, epochLabel, slotOf, describe } = run.names;
  const { rng: kioskRng, outboxPath, appendedAt } = options;
  const kiosk: KioskState = {
    alive: false,
    life: 0,
    outbox: null,
    machine: null,
    client: null,
    connected: false,
    results: [],
    wakeToken: 0,
    epoch: '',
  };
  const closedCount = new Map<string, number>();

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

  return { state: kiosk, closedCount, start: kioskStart, crash: kioskCrash, dispatch };
}
