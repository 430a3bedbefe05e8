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
import { closesOutboxEntry, type TxResult } from '../../core/wire/result.ts';
import type { DeliveryCommand, DeliveryEvent, DeliveryMachine, DeliveryView, LogLevel, RecordItem } from './delivery-contract.ts';
import { closedByRefusalAlert, epochMovedAlert, refusedUnrecordedAlert, replayedToHubAlert } from './delivery-alerts.ts';
import { LINK_LOG_CODES } from './link-log-codes.ts';
import { createReplayTracker, expectedBelowSlot } from './replay-tracker.ts';
import { resultAction } from './result-action.ts';
import { rewindDelayMs } from './rewind-backoff.ts';
import { nextDeadline, stallWaitMs } from './stall-timing.ts';

// Its parts beside it: what passes in and out (delivery-contract.ts), running it (run-delivery.ts), the alerts
// (delivery-alerts.ts), the replays (replay-tracker.ts), the stall timing (stall-timing.ts), the log codes
// (link-log-codes.ts). Re-exported: importers keep reading them from here.
export type { DeliveryCommand, DeliveryEvent, DeliveryMachine, DeliverySnapshot, DeliveryView, LogLevel, OutgoingEntry, RecordItem } from './delivery-contract.ts';
export { LINK_LOG_CODES } from './link-log-codes.ts';
export { REPLAY_CHUNK } from './replay-tracker.ts';
export { runDelivery, type DeliveryEffects } from './run-delivery.ts';
export { MAX_STALL_DOUBLINGS } from './stall-timing.ts';

export interface DeliveryOptions {
  view: DeliveryView;
  /** The clock the machine measures pauses and stalls with (ms). */
  now: () => number;
  /** Transactions sent and still waiting for their result; default 100. */
  window?: number;
  /** Resend from the oldest pending entry when nothing was answered for this long; default 5000 ms. */
  stallResendMs?: number;
}

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
  const stallWait = () => stallWaitMs(stallResendMs, stallsInARow);
  let wakeAt: number | null = null;
  let awaiting: 'record' | 'move-epoch' | null = null;
  let arrived: ArrivedResult[] = [];
  /** Closed entries sent again because the hub lost them (replay-tracker.ts). */
  const replay = createReplayTracker(view);

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
        const poisoned = closedByRefusalAlert(item.id, item.result);
        if (poisoned) out.push(poisoned);
        continue;
      }
      const slot = item.result.status === 'rejected' ? view.pendingSlot(item.id) : null;
      if (!slot) {
        if (replay.answered(item.id) && item.result.status === 'applied') replaysApplied += 1;
        else log('debug', { id: item.id }, 'result for an entry that is not pending: dropped');
        continue;
      }
      const action = resultAction(item.result, slot);
      if (action === 'retry' && item.currentRound) {
        retry = true;
        const expected = expectedBelowSlot(item.result, slot);
        if (expected !== null && (!expectedBelowPending || expected < expectedBelowPending.seq)) expectedBelowPending = { epoch: slot.epoch, seq: expected };
      }
      else if (action === 'move-epoch') moveEpoch = true;
      else if (action === 'hold') {
        hold = true;
        if (!heldAlerted.has(item.id)) {
          heldAlerted.add(item.id);
          out.push(refusedUnrecordedAlert(item.id, item.result, slot));
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
      if (replay.alertDue()) out.push(replayedToHubAlert(replaysApplied, view.epoch()));
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
    // Normally none: every closed entry holds a seq the hub recorded, below what it expects.
    const entries = replay.start(round, epoch, fromSeq);
    if (entries.length === 0) return;
    log('warn', { fromSeq, count: entries.length }, 'the hub expects transactions this kiosk had closed: sending them again');
    out.push({ type: 'publish', entries });
  }

  function onTick(): void {
    const at = now();
    if (rewindAt !== null && at >= rewindAt) rewind(rewindReason);
    if (!connected || at - lastProgressAt < stallWait()) return;
    // Stalled: sends unanswered for the stall wait, or entries pending that nothing is under way for (no send in
    // flight, no rewind planned: e.g. the outbox could not record their results) — never left waiting for ever.
    if (inFlight.size > 0 || (rewindAt === null && view.oldestPendingPos() !== null)) {
      log('warn', { code: LINK_LOG_CODES.stalled, inFlight: inFlight.size, waitedMs: stallWait() }, 'no result for a while');
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
        out.push(epochMovedAlert(event.epoch, event.moved));
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
    const due = nextDeadline({ connected, inFlight: inFlight.size, rewindAt, lastProgressAt, stallWaitMs: stallWait() });
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
