/**
 * The one path by which the kiosk makes a transaction: write it to the outbox (durable when append returns),
 * nudge the link, and wait briefly for the hub. No answer in time is not a failure: the entry is queued and
 * the link delivers it when the hub is reachable; the kiosk says "queued", never "done", in that case.
 *
 * With an Idempotency-Key the same request made again (a client retrying a request a kiosk restart cut off)
 * returns the transaction made the first time, with its result when the hub has answered: never a second one.
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox, TxBodyInput } from '../outbox/sqlite-outbox.ts';
import type { SubmitStatus } from '../receipt/build-receipt.ts';

export interface SubmitOutcome {
  tx: Transaction;
  status: SubmitStatus;
  result?: TxResult;
  /** True when an Idempotency-Key named a transaction made before: nothing new was queued. */
  replayed: boolean;
}

export interface SubmitOptions {
  idempotencyKey?: string;
}

export type SubmitTransaction = (body: TxBodyInput, options?: SubmitOptions) => Promise<SubmitOutcome>;

export function createTxSubmitter(deps: {
  outbox: Pick<Outbox, 'append' | 'appendOnce' | 'get'>;
  link: Pick<HubLink, 'kick' | 'waitForResult' | 'isConnected'>;
  resultWaitMs?: number;
}): SubmitTransaction {
  const resultWaitMs = deps.resultWaitMs ?? 2000;
  return async (body, options = {}) => {
    // Throws CodedError TX_INVALID / TX_TOO_LARGE / IDEMPOTENCY_KEY_REUSED before anything is written.
    const { tx, replayed } = options.idempotencyKey === undefined ? { tx: deps.outbox.append(body), replayed: false } : deps.outbox.appendOnce(body, options.idempotencyKey);
    if (replayed) {
      const entry = deps.outbox.get(tx.id);
      if (entry?.status === 'done' && entry.result) return { tx, status: entry.result.status, result: entry.result, replayed };
    }
    // Offline there is nobody to wait for: say "queued" at once instead of holding the member at the screen.
    if (!deps.link.isConnected()) return { tx, status: 'queued', replayed };
    const waiting = deps.link.waitForResult(tx.id, resultWaitMs);
    deps.link.kick();
    const result = await waiting;
    if (!result) return { tx, status: 'queued', replayed };
    return { tx, status: result.status, result, replayed };
  };
}
