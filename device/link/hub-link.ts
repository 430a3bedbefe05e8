/**
 * The kiosk's MQTT link to the hub. It drains the outbox in seq order with at most `window` transactions
 * waiting for a result, closes entries when the hub answers for good, and carries online look-ups.
 *
 * This file only wires the parts together; each rule lives in one of them:
 * - delivery-machine.ts: the delivery rules (window, rounds, rewinds, resends, epochs, what a result does),
 *   pure and clock-injected; it asks for writes and publishes by returning commands, performed here;
 * - mqtt-transport.ts: the connection (clean session, last will, TCP_NODELAY, subscriptions, reconnect backoff);
 * - lookups.ts: request/response look-ups;
 * - presence.ts: the kiosk's availability and state report, the hub's announced availability;
 * - measure-clock.ts: the clock measurement on every connect;
 * - result-batcher.ts: the results of one event-loop pass are one outbox commit.
 */
import { EventEmitter } from 'node:events';
import type { IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import type { AlertCode } from '../../core/wire/alerts.ts';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';
import { resultsOf, type TxResult } from '../../core/wire/result.ts';
import { parseDeviceCommand, type DeviceCommand } from '../../core/wire/device-command.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { Topics } from '../../core/wire/topics.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import { createDeliveryMachine, LINK_LOG_CODES, runDelivery, type DeliveryEffects, type DeliveryEvent } from './delivery-machine.ts';
import { createLookups, parseJson } from './lookups.ts';
import { measureClock, type ClockMeasurement } from './measure-clock.ts';
import { connectMqttTransport, type MqttTransport } from './mqtt-transport.ts';
import { classifyBrokerFailure, type BrokerFailureCode } from '../../core/errors/classify-broker-failure.ts';
import { outboxView } from './outbox-view.ts';
import { createPresence } from './presence.ts';
import { createBatcher } from './result-batcher.ts';

export { LINK_LOG_CODES };

export interface HubLinkEvents {
  /** A final result that closed an outbox entry (after the commit). */
  result: [TxResult];
  connected: [];
  disconnected: [];
  /** The hub measured this kiosk's clock on connect. */
  clock: [ClockMeasurement];
  /** Something an operator must hear of (see core/wire/alerts.ts). */
  alert: [AlertCode, Record<string, unknown>];
  /** A configuration set on the kiosk's retained config topic (topics.configSet), parsed JSON, unchecked. */
  configSet: [unknown];
  /**
   * A command from HQ on the kiosk's command topic (topics.command), checked (core/wire/device-command.ts): one that
   * does not parse, or a retained copy (commands are never retained: it would replay on every connect), is logged
   * with HUB_COMMAND_MALFORMED and dropped. A listener that throws is logged, never thrown into the link.
   */
  command: [DeviceCommand];
}

export interface HubLinkOptions {
  url: string;
  deviceId: string;
  outbox: Outbox;
  topics: Topics;
  logger: Logger;
  /** Transactions sent and still waiting for their result; default 100. */
  window?: number;
  clientOptions?: Partial<IClientOptions>;
  /** Resend from the oldest pending entry when nothing was answered for this long; default 5000 ms. */
  stallResendMs?: number;
  /** Longest wait between reconnect attempts (exponential backoff from clientOptions.reconnectPeriod); default 30 s. */
  maxReconnectMs?: number;
  /** start() resolves after this long even if the hub is not reachable yet; default 3000 ms. */
  startTimeoutMs?: number;
  /** Extra fields for the retained state report (versions, driver health). */
  reportState?: () => Record<string, unknown>;
  /** The kiosk's clock (ms); injectable for tests of the clock measurement. */
  now?: () => number;
}

export interface HubLink extends EventEmitter<HubLinkEvents> {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Connected to the broker and the hub has not announced itself offline: worth asking and waiting for. */
  isConnected(): boolean;
  /** Sends whatever is pending now (call after append). */
  kick(): void;
  /** The final result for a transaction, or null when none came within the timeout. */
  waitForResult(id: string, timeoutMs: number): Promise<TxResult | null>;
  /** The hub's answer, or null on timeout or when offline. */
  lookup(req: LookupRequest, timeoutMs: number): Promise<LookupResponse | null>;
  /** Publishes the retained state report now-ish (throttled). */
  publishState(): void;
  /**
   * Why the broker last refused or failed this kiosk (credentials refused, unreachable…), for the technician's
   * diagnostics; null when it never did since start.
   */
  lastFailure(): LinkFailure | null;
}

export interface LinkFailure {
  code: BrokerFailureCode;
  message: string;
  /** ISO 8601. */
  at: string;
}

export function createHubLink(opts: HubLinkOptions): HubLink {
  const log = opts.logger;
  const startTimeoutMs = opts.startTimeoutMs ?? 3000;
  const { deviceId, outbox, topics } = opts;
  const now = opts.now ?? Date.now;

  const emitter = new EventEmitter<HubLinkEvents>();
  let transport: MqttTransport | null = null;
  let started: Promise<void> | null = null;
  let lastFailure: LinkFailure | null = null;
  let stopping = false;
  /** Subscribed on the broker: results and responses reach us. */
  let connected = false;

  // The machine measures pauses and stalls on the process clock; `now` (the kiosk's clock) only dates the clock measurement.
  const machine = createDeliveryMachine({
    view: outboxView(outbox),
    now: Date.now,
    ...(opts.window !== undefined ? { window: opts.window } : {}),
    ...(opts.stallResendMs !== undefined ? { stallResendMs: opts.stallResendMs } : {}),
  });
  let wakeTimer: NodeJS.Timeout | null = null;
  const waiters = new Map<string, Set<(result: TxResult | null) => void>>();

  const presence = createPresence({
    deviceId,
    topics,
    outbox,
    logger: log,
    ...(opts.reportState ? { reportState: opts.reportState } : {}),
    publisher: () => {
      const t = transport;
      return connected && t ? (topic, payload, options) => t.publish(topic, payload, options) : null;
    },
  });
  const lookups = createLookups({
    deviceId,
    topics,
    logger: log,
    reachable: () => connected && presence.hubOnline(),
    publisher: () => {
      const t = transport;
      return t ? (topic, payload) => t.publish(topic, payload, { qos: 1 }) : null;
    },
  });

  const effects: DeliveryEffects = {
    publish(entries) {
      const t = transport;
      if (!t) return;
      for (const entry of entries) t.publishTx(entry.payload);
    },
    // Refusals that do not close are noted on the entry too (for GET /api/tx/:id) without closing it.
    record: (items) => outbox.markDone(items),
    moveToNewEpoch: () => outbox.moveToNewEpoch(),
    closed(result) {
      if (result.id !== null) resolveWaiters(result.id, result);
      emitter.emit('result', result);
    },
    alert: (code, detail) => emitter.emit('alert', code, detail),
    reportState: () => presence.publishState(),
    wake(at) {
      if (wakeTimer) clearTimeout(wakeTimer);
      wakeTimer = setTimeout(onWake, Math.max(0, at - Date.now()));
      wakeTimer.unref();
    },
    log: (level, fields, msg) => log[level](fields, msg),
  };

  function dispatch(event: DeliveryEvent): void {
    runDelivery(machine, event, effects);
  }

  function onWake(): void {
    wakeTimer = null;
    if (!stopping) dispatch({ type: 'tick' });
  }

  const batcher = createBatcher<TxResult>((results) => dispatch({ type: 'results', results }));

  function resolveWaiters(id: string, result: TxResult | null): void {
    const set = waiters.get(id);
    if (!set) return;
    waiters.delete(id);
    for (const resolve of set) resolve(result);
  }

  function onResultMessage(payload: Buffer): void {
    const results = resultsOf(parseJson(payload));
    if (!results) {
      log.warn({ code: LINK_LOG_CODES.resultMalformed, bytes: payload.length }, 'ignored a malformed tx result');
      return;
    }
    for (const result of results) batcher.add(result);
  }

  function onReady(t: MqttTransport): void {
    if (transport !== t || stopping) return;
    connected = true;
    presence.announceOnline();
    log.info({ url: opts.url }, 'connected to the hub broker');
    emitter.emit('connected');
    dispatch({ type: 'connected' });
    presence.publishState();
    void syncClock();
  }

  function onClose(): void {
    if (!connected) return;
    connected = false;
    dispatch({ type: 'disconnected' });
    if (stopping) log.info('link stopped');
    else log.warn('disconnected from the hub broker; transactions stay queued');
    lookups.failAll();
    emitter.emit('disconnected');
  }

  function onCommandMessage(payload: Buffer, retained: boolean): void {
    const parsed = retained ? { ok: false as const, reason: 'a retained copy (commands are never retained)' } : parseDeviceCommand(payload);
    if (!parsed.ok) {
      // Never the payload: it is whatever was published there.
      log.warn({ code: 'HUB_COMMAND_MALFORMED' satisfies ErrorCode, reason: parsed.reason, bytes: payload.length }, 'dropped a command from the hub');
      return;
    }
    log.info({ command: parsed.command.command, sentAt: parsed.command.sentAt }, 'command from the hub');
    try {
      emitter.emit('command', parsed.command);
    } catch (error) {
      log.error({ err: error, command: parsed.command.command }, 'a command listener failed; the link goes on');
    }
  }

  /** Whenever the kiosk connects, the hub measures its clock; transactions then carry the offset. */
  async function syncClock(): Promise<void> {
    const measurement = await measureClock((req, timeoutMs) => link.lookup(req, timeoutMs), now);
    if (!measurement) return;
    log.info({ offsetMs: measurement.offsetMs, rttMs: measurement.rttMs }, 'clock measured by the hub');
    emitter.emit('clock', measurement);
  }

  const link = Object.assign(emitter, {
    lastFailure: () => lastFailure,
    start(): Promise<void> {
      if (started) return started;
      stopping = false;
      const t = connectMqttTransport({
        url: opts.url,
        deviceId,
        topics,
        logger: log,
        ...(opts.clientOptions ? { clientOptions: opts.clientOptions } : {}),
        ...(opts.maxReconnectMs !== undefined ? { maxReconnectMs: opts.maxReconnectMs } : {}),
        // Optional: a hub (or broker ACL) from before commands refuses that subscription, and the kiosk carries on.
        optionalTopics: [topics.configSet(deviceId), topics.command(deviceId)],
      });
      transport = t;
      t.on('ready', () => onReady(t));
      t.on('close', onClose);
      t.on('failure', (error) => {
        lastFailure = { code: classifyBrokerFailure(error).code, message: error.message.slice(0, 200), at: new Date(now()).toISOString() };
      });
      t.on('result', onResultMessage);
      t.on('response', (requestId, payload) => lookups.onResponse(requestId, payload));
      t.on('optional', (topic, payload, retained) => {
        if (topic === topics.command(deviceId)) {
          onCommandMessage(payload, retained);
          return;
        }
        // An empty retained message clears the topic: nothing to apply.
        if (topic !== topics.configSet(deviceId) || payload.length === 0) return;
        // Not JSON: passed on as undefined, and refused (CONFIG_MALFORMED) and reported like any bad set.
        emitter.emit('configSet', parseJson(payload));
      });
      t.on('hubAvailability', (online, retained) => {
        // The hub came back (a live announcement, not the retained copy every subscribe gets): whatever it had
        // received but not committed before it went away is lost, so send everything pending again.
        if (presence.onHubAvailability(online, retained) && connected) dispatch({ type: 'hub-online' });
      });
      // Whatever came due while stopped runs now, and the machine asks for its next wake-up afresh.
      dispatch({ type: 'tick' });
      started = t.firstSign(startTimeoutMs);
      return started;
    },

    async stop(): Promise<void> {
      const t = transport;
      if (!t || stopping) return;
      stopping = true;
      batcher.flushNow();
      if (wakeTimer) clearTimeout(wakeTimer);
      wakeTimer = null;
      presence.cancel();
      if (connected) {
        // A clean disconnect suppresses the last will, so say goodbye ourselves.
        await withTimeout(t.publishAsync(topics.availability(deviceId), 'offline', { qos: 1, retain: true }), 1000).catch(() => undefined);
      }
      const wasConnected = connected;
      onClose();
      connected = false;
      await withTimeout(t.end(!wasConnected), 2000).catch(() => t.client.end(true));
      for (const id of [...waiters.keys()]) resolveWaiters(id, null);
      transport = null;
      started = null;
    },

    isConnected: () => connected && presence.hubOnline(),

    kick(): void {
      dispatch({ type: 'appended' });
    },

    waitForResult(id: string, timeoutMs: number): Promise<TxResult | null> {
      const pending = outbox.isPending(id);
      if (pending === null) return Promise.resolve(null);
      if (!pending) return Promise.resolve(outbox.get(id)?.result ?? null);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          set.delete(finish);
          if (set.size === 0) waiters.delete(id);
          resolve(null);
        }, timeoutMs);
        const finish = (result: TxResult | null) => {
          clearTimeout(timer);
          resolve(result);
        };
        const set = waiters.get(id) ?? new Set();
        set.add(finish);
        waiters.set(id, set);
      });
    },

    lookup(req: LookupRequest, timeoutMs: number): Promise<LookupResponse | null> {
      return lookups.lookup(req, timeoutMs);
    },

    publishState(): void {
      presence.publishState();
    },
  });
  return link;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
