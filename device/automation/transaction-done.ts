/**
 * A kiosk transaction's outcome as its flows hear it (TransactionDoneEvent, the `transaction done` node): which
 * transaction, what became of it, whose, and what moved. No card number: the member id when it is known.
 *
 * A transaction is told once per outcome the kiosk learns: `queued` when it is saved to send later (the hub away or
 * slow), then `applied` or `rejected` once the hub has decided it for good — so a purchase made offline is heard
 * twice, and one the hub answered at once only as applied or rejected.
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { TransactionDoneEvent } from '../../flows/runtime/protocol.ts';

export interface TransactionDoneInput {
  tx: Transaction;
  /** The hub's final answer; null while queued. */
  result: TxResult | null;
  /** Who it was for when the kiosk knows (the member on screen, or the hub's outcome); null otherwise. */
  memberId: string | null;
  deviceId: string;
  storeId: string;
  at: string;
}

export function transactionDoneEvent(input: TransactionDoneInput): TransactionDoneEvent {
  const { tx, result } = input;
  const status = statusOf(result);
  const outcome = status === 'applied' ? result?.outcome : undefined;
  return {
    at: input.at,
    txId: tx.id,
    kind: tx.kind,
    status,
    code: status === 'rejected' ? (result?.code ?? null) : null,
    memberId: outcome?.memberId ?? input.memberId,
    amountCents: status === 'rejected' ? 0 : amountOf(tx, result),
    pointsEarned: outcome?.pointsEarned ?? 0,
    pointsSpent: outcome?.pointsSpent ?? 0,
    deviceId: input.deviceId,
    storeId: input.storeId,
  };
}

/** A result the hub had answered before (exists) counts as how it ended then. */
function statusOf(result: TxResult | null): TransactionDoneEvent['status'] {
  if (!result) return 'queued';
  if (result.status === 'exists') return result.original === 'rejected' ? 'rejected' : 'applied';
  return result.status;
}

/**
 * What the member paid or topped up, in cents: a purchase's total (the ledger's when it answered; queued, what the
 * kiosk claimed, else its money tenders), a top-up's or repayment's amount, a card fee; 0 where nothing is paid.
 */
function amountOf(tx: Transaction, result: TxResult | null): number {
  if (tx.kind === 'purchase') {
    const charged = result?.outcome?.purchase?.totalCents ?? tx.claimed?.totalCents;
    if (charged !== undefined) return charged;
    return tx.payments.reduce((sum, payment) => sum + ('amountCents' in payment ? payment.amountCents : 0), 0);
  }
  if (tx.kind === 'top_up' || tx.kind === 'credit_repay') return tx.amountCents;
  if (tx.kind === 'card_replace' || tx.kind === 'card_issue' || tx.kind === 'card_service') return tx.feeCents ?? 0;
  return 0;
}
