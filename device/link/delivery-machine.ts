/**
 * The kiosk's delivery rules as a pure state machine: no MQTT, no timers, no writes. Events go in (connected,
 * disconnected, the hub announced itself online, an entry was appended, results arrived, time passed, and the
 * outcome of the writes it asked for); commands come out (publish these entries, record these results, move
 * the pending entries to a new epoch, an entry closed, raise an alert, report state, wake me at T, log).
 * It reads the outbox through a narrow read-only view (what is pending from a position, the oldest pending
 * entry, an entry's current slot); every write is a command. The time comes from an injected clock, so a
 * test or the simulation (e2e/simulation) drives it with a fake one. hub-link.ts wires it to mqtt.js and the
 * outbox; see device/README.md, "Delivery rules the link keeps".
 *
 * Ordering: the hub applies a device's transactions strictly in seq order, so after any doubt (a reconnect,
 * a TX_OUT_OF_ORDER answer, the hub coming back, a stall) the machine "rewinds": it forgets what is in flight
 * and resends from the oldest pending entry. Resends are byte-identical, so the hub answers `exists` for what
 * it already has.
 *
 * Rounds: every rewind starts a new round. Results come back in the order their transactions were sent, so
 * each result can be matched to the send it answers; an out-of-order answer to a send from an earlier round
 * is stale (that round was already rewound) and must not trigger yet another rewind. Without this, one lost
 * message in a window of 100 would cause up to 99 rewinds.
 *
 * Replay: a TX_OUT_OF_ORDER names the seq the hub expects next (`expectedSeq`). When entries this kiosk already
 * closed sit at or after it, the hub has lost transactions it had confirmed (its ledger was restored from a
 * backup): they are sent again, byte-identical, ahead of the pending ones, and the hub applies each once (or answers
 * `exists` when it had it after all, e.g. a second hub worker committed it meanwhile). Only an `applied` answer to a
 * replay raises TX_REPLAYED_TO_HUB, so the alert means the hub really had lost them.
 *
 * Feedback: `record` and `move-epoch` are requests. Whoever runs the machine performs them and answers with
 * `recorded` / `record-failed` and `epoch-moved` / `epoch-move-failed` before handing it any other event
 * (`runDelivery` does exactly that).
 */
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { AlertCode } from '../../core/wire/alerts.ts';
import { closesOutboxEntry, type TxResult } from '../../core/wire/result.ts';
import { POISON_REFUSALS, resultAction } from './result-action.ts';
import { rewindDelayMs } from './rewind-backoff.ts';

/** Log codes for what the link refuses to act on, for operators; each is a code of core's registry. */
export const LINK_LOG_CODES = {
  resultMalformed: 'TX_RESULT_MALFORMED',
  resultWithoutId: 'TX_RESULT_WITHOUT_ID',
  responseMalformed: 'LOOKUP_RESPONSE_MALFORMED',
  linkError: 'LINK_ERROR',
  stalled: 'LINK_STALLED',
  stateTooLarge: 'STATE_REPORT_TOO_LARGE',
} as const satisfies Record<string, ErrorCode>;

/** An outbox entry as it goes on the wire. */
export interface OutgoingEntry {
  pos: number;
  id: string;
  epoch: string;
  seq: number;
  payload: string;
}

/** What the machine may read of the outbox. Reads only: every write is a command. */
export interface DeliveryView {
  /** Pending entries from local position `pos` on, in order, at most `limit`. */
  pendingFrom(pos: number, limit: number): readonly OutgoingEntry[];
  /** Closed entries of `epoch` from seq `fromSeq` on, in seq order, at most `limit` (sent again when the hub lost them). */
  closedFrom(epoch: string, fromSeq: number, limit: number): readonly OutgoingEntry[];
  /** The local position of the oldest pending entry, or null when nothing is pending. */
  oldestPendingPos(): number | null;
  /** The local position the next append will get. */
  nextPos(): number;
  /** The slot a pending entry holds now; null when the entry is unknown or already closed. */
  pendingSlot(id: string): { epoch: string; seq: number } | null;
  /** The epoch every pending entry holds its slot in (new appends go there too). */
  epoch(): string;
}

export interface RecordItem {
  id: string;
  result: TxResult;
}

export type DeliveryEvent =
  /** The broker granted the subscriptions: results can reach us. */
  | { type: 'connected' }
  | { type: 'disconnected' }
  /** A live (not retained) `online` on the hub's availability topic: what it had not committed is lost. */
  | { type: 'hub-online' }
  /** Something was appended to the outbox. */
  | { type: 'appended' }
  /** The results that arrived in one pass (one commit on the outbox), in arrival order. */
  | { type: 'results'; results: readonly TxResult[] }
  /** Answer to `record`: the ids the outbox closed. */
  | { type: 'recorded'; closedIds: readonly string[] }
  | { type: 'record-failed'; error: unknown }
  /** Answer to `move-epoch`. */
  | { type: 'epoch-moved'; epoch: string; moved: number }
  | { type: 'epoch-move-failed'; error: unknown }
  /** Time passed (the wake-up asked for came, or any other moment): due rewinds and stall checks run. */
  | { type: 'tick' };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type DeliveryCommand =
  /** Publish these payloads to the hub, QoS 1, in this order. */
  | { type: 'publish'; entries: readonly OutgoingEntry[] }
  /** Record these results on the outbox in one commit (recorded ones close their entry); answer `recorded`. */
  | { type: 'record'; items: readonly RecordItem[] }
  /** Give every pending entry a new slot in a new epoch; answer `epoch-moved`. */
  | { type: 'move-epoch' }
  /** An entry closed on this result (after the commit): tell whoever waits for it. */
  | { type: 'closed'; result: TxResult }
  | { type: 'alert'; code: AlertCode; detail: Record<string, unknown> }
  /** Entries closed: the retained state report is worth refreshing. */
  | { type: 'report-state' }
  /** Hand the machine a `tick` at (or after) this time; replaces any earlier wake-up asked for. */
  | { type: 'wake'; at: number }
  | { type: 'log'; level: LogLevel; fields: Record<string, unknown>; msg: string };

export interface DeliveryOptions {
  view: DeliveryView;
  /** The clock the machine measures pauses and stalls with (ms). */
  now: () => number;
  /** Transactions sent and still waiting for their result; default 100. */
  window?: number;
  /** Resend from the oldest pending entry when nothing was answered for this long; default 5000 ms. */
  stallResendMs?: number;
}

/** What the machine holds right now, for tests and the simulation's invariants. */
export interface DeliverySnapshot {
  connected: boolean;
  round: number;
  cursor: number;
  inFlight: number;
  fruitlessRewinds: number;
  /** When a paused rewind is due, or null. */
  rewindAt: number | null;
  /** The wake-up asked for and not yet given, or null. */
  wakeAt: number | null;
  /** A request whose answer the machine waits for. */
  awaiting: 'record' | 'move-epoch' | null;
}

export interface DeliveryMachine {
  handle(event: DeliveryEvent): DeliveryCommand[];
  snapshot(): DeliverySnapshot;
}

/**
 * Stalls in a row (nothing answered at all) wait longer each time: stallResendMs, then twice, then four times that.
 * A hub that is only slow — its queue longer than the stall time, under a fleet's load — would otherwise get every
 * kiosk's whole window again every stallResendMs and spend itself applying duplicates (answered `exists`): the
 * resends would make the overload they react to worse.
 */
export const MAX_STALL_DOUBLINGS = 2;

/** Closed entries sent again per TX_OUT_OF_ORDER that shows the hub lost them: a long gap heals in chunks. */
export const REPLAY_CHUNK = 500;

interface ArrivedResult extends RecordItem {
  /** Whether it answers a send of the current round (an older round was already rewound). */
  currentRound: boolean;
}

export function createDeliveryMachine(opts: DeliveryOptions): DeliveryMachine {
  const { view, now } = opts;
  const window = opts.window ?? 100;
  const stallResendMs = opts.stallResendMs ?? 5000;

  let connected = false;
  let round = 0;
  /** The local position (outbox pos) the next send starts from. */
  let cursor = 1;
  /** Sent in the current round, no result yet (id → pos): this is what the window limits. */
  const inFlight = new Map<string, number>();
  /** For each id, the rounds of its sends that have not been answered yet, oldest first. */
  const sendRounds = new Map<string, number[]>();
  /** Rewinds in a row that closed nothing: each waits longer, so a refusal that keeps coming never spins. */
  let fruitlessRewinds = 0;
  let rewindAt: number | null = null;
  let rewindReason = '';
  /** Entries already alerted as held, so a held entry is reported once, not at every resend. */
  const heldAlerted = new Set<string>();
  let lastProgressAt = now();
  /** Stalls since the last answer: each waits longer (MAX_STALL_DOUBLINGS). */
  let stallsInARow = 0;
  const stallWaitMs = () => stallResendMs * 2 ** Math.min(stallsInARow, MAX_STALL_DOUBLINGS);
  let wakeAt: number | null = null;
  let awaiting: 'record' | 'move-epoch' | null = null;
  let arrived: ArrivedResult[] = [];
  /** Closed entries sent again and not answered yet (bounded by REPLAY_CHUNK per round). */
  const replaying = new Set<string>();
  /** The round and seq the last replay started from: one replay per gap per round, however many answers name it. */
  let lastReplay: { round: number; epoch: string; fromSeq: number } | null = null;
  /** TX_REPLAYED_TO_HUB is raised once per replay that the hub turned out to need, not per chunk of answers. */
  let replayAlerted = false;

  let out: DeliveryCommand[] = [];
  const log = (level: LogLevel, fields: Record<string, unknown>, msg: string) => out.push({ type: 'log', level, fields, msg });

  function pump(): void {
    if (!connected) return;
    const wasIdle = inFlight.size === 0;
    while (inFlight.size < window) {
      const wanted = window - inFlight.size;
      const batch = view.pendingFrom(cursor, wanted);
      if (batch.length === 0) break;
      for (const entry of batch) {
        inFlight.set(entry.id, entry.pos);
        const rounds = sendRounds.get(entry.id);
        if (rounds) rounds.push(round);
        else sendRounds.set(entry.id, [round]);
        cursor = entry.pos + 1;
      }
      out.push({ type: 'publish', entries: batch });
      // Fewer than asked for: nothing more is pending, no need to ask again.
      if (batch.length < wanted) break;
    }
    if (wasIdle && inFlight.size > 0) lastProgressAt = now();
  }

  function rewind(reason: string): void {
    rewindAt = null;
    round += 1;
    inFlight.clear();
    cursor = view.oldestPendingPos() ?? view.nextPos();
    log('info', { reason, from: cursor, round }, 'resending from the oldest pending transaction');
    pump();
  }

  /** A rewind after a refusal waits longer each time nothing closes in between: never a spin. */
  function scheduleRewind(reason: string): void {
    if (rewindAt !== null) return;
    const delay = rewindDelayMs(fruitlessRewinds);
    fruitlessRewinds += 1;
    if (delay === 0) {
      rewind(reason);
      return;
    }
    log('info', { reason, delayMs: delay }, 'resending after a pause');
    rewindAt = now() + delay;
    rewindReason = reason;
  }

  function onResults(results: readonly TxResult[]): void {
    const epoch = view.epoch();
    for (const result of results) {
      if (result.id === null) {
        log('warn', { code: LINK_LOG_CODES.resultWithoutId, resultCode: result.code }, 'hub could not read one of our transactions');
        continue;
      }
      const id = result.id;
      const rounds = sendRounds.get(id);
      const sentRound = rounds?.shift();
      if (rounds && rounds.length === 0) sendRounds.delete(id);
      const currentRound = sentRound === round;
      if (result.epoch !== undefined && result.epoch !== epoch && closesOutboxEntry(result)) {
        // About a slot in an epoch the pending entries have left: if the entry is still pending it was moved
        // after this send, and closing it now would leave its new slot empty for ever (everything behind it
        // would be TX_OUT_OF_ORDER). Its send in the new slot is answered `exists` and closes it there.
        log('debug', { id, epoch: result.epoch, seq: result.seq }, 'answer about a slot in an epoch left behind: stale');
        continue;
      }
      // An answer that closes its entry frees its place in the window whichever send it answers: when an
      // earlier send of the same id was lost, the resend's answer is matched to that lost send (rounds are
      // matched oldest first), and without this the window would shrink until the next stall.
      if ((currentRound || closesOutboxEntry(result)) && inFlight.delete(id)) {
        lastProgressAt = now();
        stallsInARow = 0;
      }
      if (result.status === 'rejected') log('debug', { id, code: result.code, recorded: result.recorded, stale: !currentRound }, 'refusal');
      arrived.push({ id, result, currentRound });
    }
    if (arrived.length === 0) return;
    awaiting = 'record';
    out.push({ type: 'record', items: arrived });
  }

  /** The outbox recorded the arrived results: act on what closed and on what did not. */
  function onRecorded(closedIds: readonly string[]): void {
    const items = arrived;
    arrived = [];
    awaiting = null;
    const closed = new Set(closedIds);
    /** Closed entries already told of: one pass may carry several answers for one id (an old send's and a resend's). */
    const told = new Set<string>();
    let retry = false;
    let moveEpoch = false;
    let hold = false;
    /** The lowest seq the hub said it expects, in the pending entries' epoch, when that is below what they hold. */
    let expectedBelowPending: { epoch: string; seq: number } | null = null;
    let replaysApplied = 0;
    for (const item of items) {
      if (closed.has(item.id)) {
        // Told once, with the answer that closed it (the outbox closes on the first closing answer of the
        // pass): never with a refusal that happened to arrive beside it, such as an old send's TX_OUT_OF_ORDER.
        if (told.has(item.id) || !closesOutboxEntry(item.result)) continue;
        told.add(item.id);
        heldAlerted.delete(item.id);
        // Never sent again: its unanswered sends (lost ones) need no matching any more.
        sendRounds.delete(item.id);
        out.push({ type: 'closed', result: item.result });
        if (item.result.status === 'rejected' && item.result.code !== undefined && POISON_REFUSALS.has(item.result.code)) {
          out.push({ type: 'alert', code: 'TX_CLOSED_BY_REFUSAL', detail: { txId: item.id, code: item.result.code, message: item.result.message ?? null } });
        }
        continue;
      }
      const slot = item.result.status === 'rejected' ? view.pendingSlot(item.id) : null;
      if (!slot) {
        if (replaying.delete(item.id) && item.result.status === 'applied') replaysApplied += 1;
        else log('debug', { id: item.id }, 'result for an entry that is not pending: dropped');
        continue;
      }
      const action = resultAction(item.result, slot);
      if (action === 'retry' && item.currentRound) {
        retry = true;
        const expected = item.result.expectedSeq;
        if (expected !== undefined && expected < slot.seq && (item.result.epoch === undefined || item.result.epoch === slot.epoch)) {
          if (!expectedBelowPending || expected < expectedBelowPending.seq) expectedBelowPending = { epoch: slot.epoch, seq: expected };
        }
      }
      else if (action === 'move-epoch') moveEpoch = true;
      else if (action === 'hold') {
        hold = true;
        if (!heldAlerted.has(item.id)) {
          heldAlerted.add(item.id);
          out.push({
            type: 'alert',
            code: 'TX_REFUSED_UNRECORDED',
            detail: { txId: item.id, code: item.result.code ?? null, message: item.result.message ?? null, epoch: slot.epoch, seq: slot.seq },
          });
        }
      }
    }
    if (closedIds.length > 0) {
      fruitlessRewinds = 0;
      out.push({ type: 'report-state' });
    }
    if (replaysApplied > 0) {
      // The hub is catching up: progress, so the rewinds behind the replay do not slow down.
      fruitlessRewinds = 0;
      if (!replayAlerted) {
        replayAlerted = true;
        out.push({ type: 'alert', code: 'TX_REPLAYED_TO_HUB', detail: { applied: replaysApplied, epoch: view.epoch() } });
      }
      log('warn', { applied: replaysApplied }, 'the hub applied transactions it had confirmed before and lost');
    }
    if (expectedBelowPending) replayClosed(expectedBelowPending.epoch, expectedBelowPending.seq);
    if (moveEpoch) {
      // Another sender took this kiosk's seqs (or the hub closed the epoch): pending entries get new slots.
      awaiting = 'move-epoch';
      out.push({ type: 'move-epoch' });
    } else if (retry || hold) scheduleRewind(hold ? 'refused without a record' : 'retryable rejection');
    else pump();
  }

  /** Sends the closed entries from `fromSeq` on again, ahead of the pending ones (they follow at the rewind). */
  function replayClosed(epoch: string, fromSeq: number): void {
    if (lastReplay && lastReplay.round === round && lastReplay.epoch === epoch && lastReplay.fromSeq === fromSeq) return;
    // Normally empty: every closed entry holds a seq the hub recorded, below what it expects.
    const entries = view.closedFrom(epoch, fromSeq, REPLAY_CHUNK);
    if (entries.length === 0) return;
    lastReplay = { round, epoch, fromSeq };
    if (replaying.size === 0) replayAlerted = false;
    if (replaying.size > REPLAY_CHUNK * 4) replaying.clear();
    for (const entry of entries) replaying.add(entry.id);
    log('warn', { fromSeq, count: entries.length }, 'the hub expects transactions this kiosk had closed: sending them again');
    out.push({ type: 'publish', entries });
  }

  function onTick(): void {
    const at = now();
    if (rewindAt !== null && at >= rewindAt) rewind(rewindReason);
    if (!connected || at - lastProgressAt < stallWaitMs()) return;
    // Stalled: sends unanswered for the stall wait, or entries pending that nothing is under way for (no send in
    // flight, no rewind planned: e.g. the outbox could not record their results) — never left waiting for ever.
    if (inFlight.size > 0 || (rewindAt === null && view.oldestPendingPos() !== null)) {
      log('warn', { code: LINK_LOG_CODES.stalled, inFlight: inFlight.size, waitedMs: stallWaitMs() }, 'no result for a while');
      lastProgressAt = at;
      forgetSends();
      rewind('stalled');
      stallsInARow += 1;
    } else {
      // Idle: look again in stallResendMs.
      lastProgressAt = at;
    }
  }

  /**
   * After a stall or the hub's return the unanswered sends are presumed lost: forget them, so the answers to
   * the resends are matched to the resends (a lost send would otherwise take its resend's answer for its own,
   * and the resend's answer would count as stale).
   */
  function forgetSends(): void {
    sendRounds.clear();
  }

  /** The earliest moment something is due: a paused rewind, or the stall check. */
  function nextDeadline(): number | null {
    const stallAt = connected && (inFlight.size > 0 || rewindAt === null) ? lastProgressAt + stallWaitMs() : null;
    if (rewindAt === null) return stallAt;
    return stallAt === null ? rewindAt : Math.min(rewindAt, stallAt);
  }

  function handle(event: DeliveryEvent): DeliveryCommand[] {
    out = [];
    const answers = event.type === 'recorded' || event.type === 'record-failed' ? 'record' : event.type === 'epoch-moved' || event.type === 'epoch-move-failed' ? 'move-epoch' : null;
    if (awaiting !== answers) {
      throw new Error(awaiting ? `delivery machine: '${awaiting}' must be answered before '${event.type}'` : `delivery machine: '${event.type}' answers nothing asked`);
    }
    switch (event.type) {
      case 'connected':
        connected = true;
        stallsInARow = 0;
        round += 1;
        inFlight.clear();
        sendRounds.clear();
        rewind('connected');
        break;
      case 'disconnected':
        connected = false;
        inFlight.clear();
        sendRounds.clear();
        break;
      case 'hub-online':
        // The hub came back: whatever it had received but not committed before it went away is lost.
        if (connected) {
          stallsInARow = 0;
          forgetSends();
          rewind('hub online');
        }
        break;
      case 'appended':
        pump();
        break;
      case 'results':
        onResults(event.results);
        break;
      case 'recorded':
        onRecorded(event.closedIds);
        break;
      case 'record-failed':
        // The results stay uncommitted; the entries stay pending and the next rewind asks again.
        arrived = [];
        awaiting = null;
        log('error', { code: 'OUTBOX_WRITE_FAILED' satisfies ErrorCode, err: event.error }, 'could not record results');
        // Their answers were taken off the window: ask again (after a pause if the disk keeps failing).
        scheduleRewind('results not recorded');
        break;
      case 'epoch-moved':
        awaiting = null;
        out.push({ type: 'alert', code: 'SEQ_EPOCH_MOVED', detail: { epoch: event.epoch, moved: event.moved } });
        rewind('moved to a new epoch');
        break;
      case 'epoch-move-failed':
        awaiting = null;
        log('error', { code: 'OUTBOX_WRITE_FAILED' satisfies ErrorCode, err: event.error }, 'could not move pending transactions to a new epoch');
        scheduleRewind('epoch move failed');
        break;
      case 'tick':
        // The wake-up asked for has come (or time passed anyway): ask again below for whatever is due next.
        wakeAt = null;
        onTick();
        break;
    }
    const due = nextDeadline();
    // Only an earlier wake-up is worth asking for: a later deadline is met by the tick the earlier one brings.
    if (due !== null && (wakeAt === null || due < wakeAt)) {
      wakeAt = due;
      out.push({ type: 'wake', at: due });
    }
    return out;
  }

  return {
    handle,
    snapshot: () => ({ connected, round, cursor, inFlight: inFlight.size, fruitlessRewinds, rewindAt, wakeAt, awaiting }),
  };
}

/** Performs a machine's commands; `record` and `moveToNewEpoch` are the outbox's writes (they throw on failure). */
export interface DeliveryEffects {
  publish(entries: readonly OutgoingEntry[]): void;
  record(items: readonly RecordItem[]): readonly string[];
  moveToNewEpoch(): { epoch: string; moved: number };
  closed(result: TxResult): void;
  alert(code: AlertCode, detail: Record<string, unknown>): void;
  reportState(): void;
  wake(at: number): void;
  log(level: LogLevel, fields: Record<string, unknown>, msg: string): void;
}

/**
 * Hands the machine one event and performs what it asks, answering its requests (record, move-epoch) at once
 * with their outcome, until nothing is left to do.
 */
export function runDelivery(machine: DeliveryMachine, event: DeliveryEvent, effects: DeliveryEffects): void {
  let next: DeliveryEvent | null = event;
  while (next) {
    const commands = machine.handle(next);
    next = null;
    for (const command of commands) {
      switch (command.type) {
        case 'publish':
          effects.publish(command.entries);
          break;
        case 'record':
          try {
            next = { type: 'recorded', closedIds: effects.record(command.items) };
          } catch (error) {
            next = { type: 'record-failed', error };
          }
          break;
        case 'move-epoch':
          try {
            next = { type: 'epoch-moved', ...effects.moveToNewEpoch() };
          } catch (error) {
            next = { type: 'epoch-move-failed', error };
          }
          break;
        case 'closed':
          effects.closed(command.result);
          break;
        case 'alert':
          effects.alert(command.code, command.detail);
          break;
        case 'report-state':
          effects.reportState();
          break;
        case 'wake':
          effects.wake(command.at);
          break;
        case 'log':
          effects.log(command.level, command.fields, command.msg);
          break;
      }
    }
  }
}
