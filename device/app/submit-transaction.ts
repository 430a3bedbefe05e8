/**
 * The one path by which a use case makes a transaction:
 *
 *   1. Idempotency-Key named before, for the same request → the transaction made then, with its result when
 *      the hub has answered (waiting ≤ resultWaitMs otherwise). Nothing is drafted or queued, and the screen
 *      is not touched: the shopper at the kiosk now is not the client retrying a request that was cut off.
 *      The same key for another request → IDEMPOTENCY_KEY_REUSED.
 *   2. Admit (offline limits: refused, or marked acceptedOffline), then draft (transaction factory): an invalid
 *      body is refused here, before the screen changes.
 *   3. Screen: the use case's `begin` shows it running (member → action), when it is for the member on screen.
 *   4. Append to the outbox: durable when it returns. TX_TOO_LARGE (the final payload, in its slot) → the
 *      screen goes back (`abort`) and nothing was written.
 *   5. Nudge the link and wait ≤ resultWaitMs for the hub. No answer is not a failure: the entry is queued and
 *      the link delivers it when the hub is reachable; the outcome says "queued", never "done". Offline there
 *      is nobody to wait for: "queued" at once.
 *   6. Screen: the use case's `complete` shows the outcome (receipt, or a registration's welcome or notice).
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { SubmitStatus } from '../receipt/build-receipt.ts';
import type { TransactionFactory, TxBodyInput } from '../tx/transaction-factory.ts';

export interface TxOutcome {
  tx: Transaction;
  status: SubmitStatus;
  /** The hub's final answer; null when queued. */
  result: TxResult | null;
  /** True when an Idempotency-Key named a transaction made before: nothing new was queued. */
  replayed: boolean;
}

export interface SubmitOptions {
  idempotencyKey?: string;
}

/** How one use case involves the screen around its transaction. */
export interface ScreenPart {
  /** Before the append; false when the transaction is not for what is on screen (then neither of the others runs). */
  begin(): boolean;
  /** The append failed: show again what was shown before. */
  abort(): void;
  /** Show the outcome. */
  complete(outcome: TxOutcome): Promise<void>;
}

/** A transaction for a card other than the one on screen (a till integration, staff with a card number). */
export const OFF_SCREEN: ScreenPart = { begin: () => false, abort: () => undefined, complete: async () => undefined };

export interface SubmitDeps {
  factory: Pick<TransactionFactory, 'draft'>;
  outbox: Pick<Outbox, 'append' | 'appendOnce' | 'replayOf' | 'get'>;
  link: Pick<HubLink, 'kick' | 'waitForResult' | 'isConnected'>;
  /** How long to wait for the hub's answer; default 2000 ms. */
  resultWaitMs?: number;
  /** After every append: the outbox depth changed. */
  appended?: () => void;
  /**
   * The last word before a new transaction is drafted (not for a replay, which queues nothing): the offline
   * limits (device/config/offline-guard.ts) refuse here by throwing, or mark the body. Synchronous, so nothing
   * else is appended between its check and the append.
   */
  admit?: (request: TxBodyInput) => TxBodyInput;
  /**
   * Told the outcome of each new transaction (never of a replay) once the screen has shown it: applied, refused,
   * or queued. The kiosk's flows hear of it from here (device/automation). Must not throw.
   */
  settled?: (outcome: TxOutcome) => void;
}

export type SubmitTransaction = (request: TxBodyInput, screen: ScreenPart, options?: SubmitOptions) => Promise<TxOutcome>;

export function createSubmitter(deps: SubmitDeps): SubmitTransaction {
  const resultWaitMs = deps.resultWaitMs ?? 2000;

  async function answer(tx: Transaction, replayed: boolean): Promise<TxOutcome> {
    if (replayed) {
      const entry = deps.outbox.get(tx.id);
      if (entry?.status === 'done' && entry.result) return { tx, status: entry.result.status, result: entry.result, replayed };
    }
    if (!deps.link.isConnected()) return { tx, status: 'queued', result: null, replayed };
    const waiting = deps.link.waitForResult(tx.id, resultWaitMs);
    deps.link.kick();
    const result = await waiting;
    return result ? { tx, status: result.status, result, replayed } : { tx, status: 'queued', result: null, replayed };
  }

  return async (request, screen, options = {}) => {
    const key = options.idempotencyKey;
    if (key !== undefined) {
      const earlier = deps.outbox.replayOf(request, key);
      if (earlier) return answer(earlier, true);
    }
    const draft = deps.factory.draft(deps.admit ? deps.admit(request) : request);
    // From here to the append nothing awaits: no other request can take the key or the screen in between.
    const onScreen = screen.begin();
    let tx: Transaction;
    try {
      tx = key === undefined ? deps.outbox.append(draft) : deps.outbox.appendOnce(draft, key).tx;
    } catch (error) {
      if (onScreen) screen.abort();
      throw error;
    }
    deps.appended?.();
    const outcome = await answer(tx, false);
    if (onScreen) await screen.complete(outcome);
    deps.settled?.(outcome);
    return outcome;
  };
}
