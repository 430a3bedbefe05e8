/**
 * The one path by which the kiosk makes a transaction: write it to the outbox (durable when append returns),
 * nudge the link, and wait briefly for the hub. No answer in time is not a failure: the entry is queued and
 * the link delivers it when the hub is reachable; the kiosk says "queued", never "done", in that case.
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
}

export type SubmitTransaction = (body: TxBodyInput) => Promise<SubmitOutcome>;

export function createTxSubmitter(deps: { outbox: Outbox; link: Pick<HubLink, 'kick' | 'waitForResult' | 'isConnected'>; resultWaitMs?: number }): SubmitTransaction {
  const resultWaitMs = deps.resultWaitMs ?? 2000;
  return async (body) => {
    // Throws CodedError TX_INVALID / TX_UNKNOWN_KIND before anything is written.
    const tx = deps.outbox.append(body);
    // Offline there is nobody to wait for: say "queued" at once instead of holding the member at the screen.
    if (!deps.link.isConnected()) return { tx, status: 'queued' };
    const waiting = deps.link.waitForResult(tx.id, resultWaitMs);
    deps.link.kick();
    const result = await waiting;
    if (!result) return { tx, status: 'queued' };
    return { tx, status: result.status, result };
  };
}
