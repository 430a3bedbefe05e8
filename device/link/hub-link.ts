/**
 * The kiosk's MQTT link to the hub. It drains the outbox in seq order with at most `window` transactions
 * waiting for a result, closes entries when the hub answers for good, and carries online look-ups.
 *
 * Ordering: the hub applies a device's transactions strictly in seq order, so after any doubt (a reconnect,
 * a TX_OUT_OF_ORDER answer, a stall) the link "rewinds": it forgets what is in flight and resends from the
 * oldest pending entry. Resends are byte-identical, so the hub answers `exists` for what it already has.
 *
 * Rounds: every rewind starts a new round. Results come back in the order their transactions were sent, so
 * each result can be matched to the send it answers; an out-of-order answer to a send from an earlier round
 * is stale (that round was already rewound) and must not trigger yet another rewind. Without this, one lost
 * message in a window of 100 would cause up to 99 rewinds.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { AlertCode } from '../../core/wire/alerts.ts';
import { MAX_LOOKUP_REQUEST_BYTES, MAX_STATE_REPORT_BYTES } from '../../core/wire/limits.ts';
import { lookupRequestSchema, lookupResponseSchema, type LookupRequest, type LookupResponse } from '../../core/wire/lookup.ts';
import { resultsOf, type TxResult } from '../../core/wire/result.ts';
import type { Topics } from '../../core/wire/topics.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import { measureClock, type ClockMeasurement } from './measure-clock.ts';
import { applyReconnectBackoff } from './reconnect-backoff.ts';
import { createBatcher } from './result-batcher.ts';
import { POISON_REFUSALS, resultAction } from './result-action.ts';
import { rewindDelayMs } from './rewind-backoff.ts';

/** Log codes for what the link refuses to act on; they are for operators, not part of the wire protocol. */
export const LINK_LOG_CODES = {
  resultMalformed: 'TX_RESULT_MALFORMED',
  resultWithoutId: 'TX_RESULT_WITHOUT_ID',
  responseMalformed: 'LOOKUP_RESPONSE_MALFORMED',
  linkError: 'LINK_ERROR',
  stalled: 'LINK_STALLED',
  stateTooLarge: 'STATE_REPORT_TOO_LARGE',
} as const;

export interface HubLinkEvents {
  /** A final result that closed an outbox entry (after the commit). */
  result: [TxResult];
  connected: [];
  disconnected: [];
  /** The hub measured this kiosk's clock on connect. */
  clock: [ClockMeasurement];
  /** Something an operator must hear of (see core/wire/alerts.ts). */
  alert: [AlertCode, Record<string, unknown>];
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
}

interface PendingLookup {
  resolve: (response: LookupResponse | null) => void;
  timer: NodeJS.Timeout;
}

interface ArrivedResult {
  id: string;
  result: TxResult;
  /** Whether it answers a send of the current round (an older round was already rewound). */
  currentRound: boolean;
}

const STATE_PUBLISH_INTERVAL_MS = 1000;

export function createHubLink(opts: HubLinkOptions): HubLink {
  const log = opts.logger;
  const window = opts.window ?? 100;
  const stallResendMs = opts.stallResendMs ?? 5000;
  const startTimeoutMs = opts.startTimeoutMs ?? 3000;
  const { deviceId, outbox, topics } = opts;
  const now = opts.now ?? Date.now;
  const txTopic = topics.tx(deviceId);
  const resultTopic = topics.txResult(deviceId);
  const responsePrefix = topics.response(deviceId, '');

  const emitter = new EventEmitter<HubLinkEvents>();
  let client: MqttClient | null = null;
  let started: Promise<void> | null = null;
  let stopping = false;
  let connected = false;
  /** What the hub last announced on its retained availability topic; unknown counts as online. */
  let hubOnline = true;

  let round = 0;
  /** The local position (outbox pos) the next send starts from. */
  let cursor = 1;
  /** Sent in the current round, no result yet (id → pos): this is what the window limits. */
  const inFlight = new Map<string, number>();
  /** Rewinds in a row that closed nothing: each waits longer, so a refusal that keeps coming never spins. */
  let fruitlessRewinds = 0;
  let rewindTimer: NodeJS.Timeout | null = null;
  /** Entries already alerted as held, so a held entry is reported once, not at every resend. */
  const heldAlerted = new Set<string>();
  /** For each id, the rounds of its sends that have not been answered yet, oldest first. */
  const sendRounds = new Map<string, number[]>();
  let lastProgressAt = Date.now();
  let stallTimer: NodeJS.Timeout | null = null;

  const waiters = new Map<string, Set<(result: TxResult | null) => void>>();
  const lookups = new Map<string, PendingLookup>();
  let stateTimer: NodeJS.Timeout | null = null;
  let lastStateAt = 0;

  const batcher = createBatcher<ArrivedResult>(commitResults);

  function commitResults(items: ArrivedResult[]): void {
    let closedIds: string[] = [];
    try {
      // Refusals that do not close are noted on the entry too (for GET /api/tx/:id) without closing it.
      closedIds = outbox.markDone(items);
    } catch (error) {
      // The results stay uncommitted; the entries stay pending and the next rewind asks again.
      log.error({ code: 'OUTBOX_WRITE_FAILED', err: error }, 'could not record results');
      return;
    }
    const closed = new Set(closedIds);
    let retry = false;
    let moveEpoch = false;
    let hold = false;
    for (const item of items) {
      if (closed.has(item.id)) {
        heldAlerted.delete(item.id);
        resolveWaiters(item.id, item.result);
        emitter.emit('result', item.result);
        if (item.result.status === 'rejected' && item.result.code !== undefined && POISON_REFUSALS.has(item.result.code)) {
          emitter.emit('alert', 'TX_CLOSED_BY_REFUSAL', { txId: item.id, code: item.result.code, message: item.result.message ?? null });
        }
        continue;
      }
      const entry = item.result.status === 'rejected' ? outbox.get(item.id) : null;
      if (!entry || entry.status === 'done') {
        log.debug({ id: item.id }, 'result for an entry that is not pending: dropped');
        continue;
      }
      const action = resultAction(item.result, entry);
      if (action === 'retry' && item.currentRound) retry = true;
      else if (action === 'move-epoch') moveEpoch = true;
      else if (action === 'hold') {
        hold = true;
        if (!heldAlerted.has(item.id)) {
          heldAlerted.add(item.id);
          emitter.emit('alert', 'TX_REFUSED_UNRECORDED', { txId: item.id, code: item.result.code ?? null, message: item.result.message ?? null, epoch: entry.epoch, seq: entry.seq });
        }
      }
    }
    if (closedIds.length > 0) fruitlessRewinds = 0;
    if (moveEpoch) {
      const moved = moveToNewEpoch();
      if (moved) rewind('moved to a new epoch');
    } else if (retry || hold) scheduleRewind(hold ? 'refused without a record' : 'retryable rejection');
    else pump();
    if (closedIds.length > 0) publishState();
  }

  /** Another sender took this kiosk's seqs (or the hub closed the epoch): pending entries get new slots. */
  function moveToNewEpoch(): boolean {
    try {
      const { epoch, moved } = outbox.moveToNewEpoch();
      emitter.emit('alert', 'SEQ_EPOCH_MOVED', { epoch, moved });
      return true;
    } catch (error) {
      log.error({ code: 'OUTBOX_WRITE_FAILED', err: error }, 'could not move pending transactions to a new epoch');
      scheduleRewind('epoch move failed');
      return false;
    }
  }

  /** A rewind after a refusal waits longer each time nothing closes in between: never a spin. */
  function scheduleRewind(reason: string): void {
    if (rewindTimer) return;
    const delay = rewindDelayMs(fruitlessRewinds);
    fruitlessRewinds += 1;
    if (delay === 0) {
      rewind(reason);
      return;
    }
    log.info({ reason, delayMs: delay }, 'resending after a pause');
    rewindTimer = setTimeout(() => {
      rewindTimer = null;
      rewind(reason);
    }, delay);
    rewindTimer.unref();
  }

  function resolveWaiters(id: string, result: TxResult | null): void {
    const set = waiters.get(id);
    if (!set) return;
    waiters.delete(id);
    for (const resolve of set) resolve(result);
  }

  function rewind(reason: string): void {
    if (rewindTimer) clearTimeout(rewindTimer);
    rewindTimer = null;
    round += 1;
    inFlight.clear();
    cursor = outbox.oldestPending()?.pos ?? outbox.nextPos();
    log.info({ reason, from: cursor, round }, 'resending from the oldest pending transaction');
    pump();
  }

  function pump(): void {
    if (!connected || !client) return;
    const wasIdle = inFlight.size === 0;
    while (inFlight.size < window) {
      const wanted = window - inFlight.size;
      const batch = outbox.pendingFrom(cursor, wanted);
      if (batch.length === 0) break;
      for (const entry of batch) {
        client.publish(txTopic, entry.payload, { qos: 1 }, (error) => {
          if (error) log.debug({ err: error.message, seq: entry.seq }, 'publish not confirmed; it will be resent');
        });
        inFlight.set(entry.id, entry.pos);
        const rounds = sendRounds.get(entry.id);
        if (rounds) rounds.push(round);
        else sendRounds.set(entry.id, [round]);
        cursor = entry.pos + 1;
      }
      // Fewer than asked for: nothing more is pending, no need to ask again.
      if (batch.length < wanted) break;
    }
    if (wasIdle && inFlight.size > 0) lastProgressAt = Date.now();
  }

  function onResultMessage(payload: Buffer): void {
    const results = resultsOf(parseJson(payload));
    if (!results) {
      log.warn({ code: LINK_LOG_CODES.resultMalformed, bytes: payload.length }, 'ignored a malformed tx result');
      return;
    }
    for (const result of results) onResult(result);
  }

  function onResult(result: TxResult): void {
    if (result.id === null) {
      log.warn({ code: LINK_LOG_CODES.resultWithoutId, resultCode: result.code }, 'hub could not read one of our transactions');
      return;
    }
    const id = result.id;
    const rounds = sendRounds.get(id);
    const sentRound = rounds?.shift();
    if (rounds && rounds.length === 0) sendRounds.delete(id);
    const answersCurrentRound = sentRound === round;
    if (answersCurrentRound && inFlight.delete(id)) lastProgressAt = Date.now();
    if (result.status === 'rejected') log.debug({ id, code: result.code, recorded: result.recorded, stale: !answersCurrentRound }, 'refusal');
    batcher.add({ id, result, currentRound: answersCurrentRound });
  }

  function onResponseMessage(requestId: string, payload: Buffer): void {
    const pending = lookups.get(requestId);
    if (!pending) {
      log.debug({ requestId }, 'response for an unknown or expired look-up');
      return;
    }
    const parsed = lookupResponseSchema.safeParse(parseJson(payload));
    if (!parsed.success) {
      log.warn({ code: LINK_LOG_CODES.responseMalformed, requestId }, 'ignored a malformed look-up response');
      return;
    }
    lookups.delete(requestId);
    clearTimeout(pending.timer);
    pending.resolve(parsed.data);
  }

  function onConnect(mqttClient: MqttClient): void {
    // mqtt.js has no option for it: without TCP_NODELAY every request/answer pair waits ~40 ms for Nagle.
    (mqttClient.stream as unknown as Partial<Socket>).setNoDelay?.(true);
    round += 1;
    inFlight.clear();
    sendRounds.clear();
    mqttClient.subscribe({ [resultTopic]: { qos: 1 }, [topics.response(deviceId, '+')]: { qos: 1 }, [topics.hubAvailability]: { qos: 1 } }, (error, grants) => {
      if (error || !grants || grants.some((g) => g.qos === 128)) {
        log.error({ code: LINK_LOG_CODES.linkError, err: error?.message }, 'subscription refused; reconnecting');
        mqttClient.reconnect();
        return;
      }
      if (client !== mqttClient || stopping) return;
      mqttClient.publish(topics.availability(deviceId), 'online', { qos: 1, retain: true });
      connected = true;
      log.info({ url: opts.url }, 'connected to the hub broker');
      emitter.emit('connected');
      rewind('connected');
      publishState();
      void syncClock();
    });
  }

  function onClose(): void {
    if (!connected) return;
    connected = false;
    inFlight.clear();
    sendRounds.clear();
    if (stopping) log.info('link stopped');
    else log.warn('disconnected from the hub broker; transactions stay queued');
    for (const [requestId, pending] of lookups) {
      clearTimeout(pending.timer);
      lookups.delete(requestId);
      pending.resolve(null);
    }
    emitter.emit('disconnected');
  }

  /** Whenever the kiosk connects, the hub measures its clock; transactions then carry the offset. */
  async function syncClock(): Promise<void> {
    const measurement = await measureClock((req, timeoutMs) => link.lookup(req, timeoutMs), now);
    if (!measurement) return;
    log.info({ offsetMs: measurement.offsetMs, rttMs: measurement.rttMs }, 'clock measured by the hub');
    emitter.emit('clock', measurement);
  }

  function publishState(): void {
    if (!connected || stateTimer) return;
    const wait = Math.max(0, lastStateAt + STATE_PUBLISH_INTERVAL_MS - Date.now());
    stateTimer = setTimeout(() => {
      stateTimer = null;
      if (!connected || !client) return;
      lastStateAt = Date.now();
      const oldest = outbox.oldestPending();
      const report = {
        deviceId,
        connected: true,
        outboxDepth: outbox.depth(),
        epoch: outbox.epoch(),
        oldestPending: oldest ? { epoch: oldest.epoch, seq: oldest.seq } : null,
        ...(opts.reportState?.() ?? {}),
        at: new Date().toISOString(),
      };
      const text = JSON.stringify(report);
      if (Buffer.byteLength(text) > MAX_STATE_REPORT_BYTES) {
        log.warn({ code: LINK_LOG_CODES.stateTooLarge, bytes: Buffer.byteLength(text) }, 'state report too large; not published');
        return;
      }
      client.publish(topics.state(deviceId), text, { qos: 1, retain: true });
    }, wait);
    stateTimer.unref();
  }

  function checkStall(): void {
    if (connected && inFlight.size > 0 && Date.now() - lastProgressAt > stallResendMs) {
      log.warn({ code: LINK_LOG_CODES.stalled, inFlight: inFlight.size }, 'no result for a while');
      lastProgressAt = Date.now();
      rewind('stalled');
    }
  }

  const link = Object.assign(emitter, {
    start(): Promise<void> {
      if (started) return started;
      stopping = false;
      const mqttClient = mqtt.connect(opts.url, {
        protocolVersion: 4,
        clean: true,
        clientId: deviceId,
        reconnectPeriod: 1000,
        connectTimeout: 5000,
        keepalive: 30,
        resubscribe: false,
        will: { topic: topics.availability(deviceId), payload: Buffer.from('offline'), qos: 1, retain: true },
        // mqtt.js logs through the debug package, which builds an argument array per call even when disabled:
        // a no-op logger keeps that garbage (the largest allocation per transaction) off the confirmation path.
        log: ignoreMqttDebugLog,
        ...opts.clientOptions,
      });
      client = mqttClient;
      applyReconnectBackoff(mqttClient, { initialMs: mqttClient.options.reconnectPeriod ?? 1000, maxMs: opts.maxReconnectMs ?? 30_000 });
      mqttClient.on('connect', () => onConnect(mqttClient));
      mqttClient.on('close', onClose);
      mqttClient.on('error', (error) => log.warn({ code: LINK_LOG_CODES.linkError, err: error.message }, 'broker connection error'));
      mqttClient.on('message', (topic, payload, packet) => {
        if (topic === resultTopic) onResultMessage(payload);
        // The hub came back (a live announcement, not the retained copy every subscribe gets): whatever it had
        // received but not committed before it went away is lost, so send everything pending again.
        else if (topic === topics.hubAvailability) {
          const online = payload.toString() === 'online';
          if (online !== hubOnline) log.info({ hubOnline: online }, online ? 'the hub is online' : 'the hub announced itself offline');
          hubOnline = online;
          if (online && !packet.retain && connected) rewind('hub online');
        }
        else if (topic.startsWith(responsePrefix)) onResponseMessage(topic.slice(responsePrefix.length), payload);
      });
      stallTimer = setInterval(checkStall, Math.max(50, Math.floor(stallResendMs / 2)));
      stallTimer.unref();
      // A kiosk that starts offline must still start: resolve on the first sign either way.
      started = new Promise<void>((resolve) => {
        const timer = setTimeout(done, startTimeoutMs);
        function done(): void {
          clearTimeout(timer);
          emitter.off('connected', done);
          mqttClient.off('offline', done);
          mqttClient.off('error', done);
          resolve();
        }
        emitter.once('connected', done);
        mqttClient.once('offline', done);
        mqttClient.once('error', done);
      });
      return started;
    },

    async stop(): Promise<void> {
      if (!client || stopping) return;
      stopping = true;
      const mqttClient = client;
      batcher.flushNow();
      if (stallTimer) clearInterval(stallTimer);
      if (stateTimer) clearTimeout(stateTimer);
      if (rewindTimer) clearTimeout(rewindTimer);
      stallTimer = stateTimer = rewindTimer = null;
      if (connected) {
        // A clean disconnect suppresses the last will, so say goodbye ourselves.
        await withTimeout(mqttClient.publishAsync(topics.availability(deviceId), 'offline', { qos: 1, retain: true }), 1000).catch(() => undefined);
      }
      const wasConnected = connected;
      onClose();
      connected = false;
      await withTimeout(mqttClient.endAsync(!wasConnected), 2000).catch(() => mqttClient.end(true));
      for (const id of [...waiters.keys()]) resolveWaiters(id, null);
      client = null;
      started = null;
    },

    isConnected: () => connected && hubOnline,

    kick(): void {
      pump();
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
      const parsed = lookupRequestSchema.safeParse(req);
      if (!parsed.success) return Promise.reject(new CodedError('REQUEST_MALFORMED', parsed.error.issues[0]?.message));
      // Offline hub: answer at once, so the screen falls back to the member cache without a wait.
      if (!connected || !hubOnline || !client) return Promise.resolve(null);
      const mqttClient = client;
      const text = JSON.stringify(parsed.data);
      // Checked here, where the caller can be told: the hub would only refuse it after a round trip.
      if (Buffer.byteLength(text) > MAX_LOOKUP_REQUEST_BYTES) return Promise.reject(new CodedError('REQUEST_MALFORMED', `look-up request over ${MAX_LOOKUP_REQUEST_BYTES} bytes`));
      const requestId = randomBytes(8).toString('hex');
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          lookups.delete(requestId);
          resolve(null);
        }, timeoutMs);
        lookups.set(requestId, { resolve, timer });
        mqttClient.publish(topics.request(deviceId, requestId), text, { qos: 1 });
      });
    },

    publishState,
  });
  return link;
}

function ignoreMqttDebugLog(): void {}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
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
