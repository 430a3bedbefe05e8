/**
 * Transactions that start at HQ rather than on a kiosk (opening balances, manual corrections, the points
 * expiry sweep and tier reviews) go through the very same ledger path, as device "hq" with the hub's own
 * sequence, so they are journaled, exactly-once and audited like any other. The store takes the seq inside the
 * database transaction that applies it.
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { HqApplyOptions, HqTransactionBody, LedgerStore } from '../ledger/ledger-store.ts';

export { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
export type { HqTransactionBody } from '../ledger/ledger-store.ts';

export function submitHqTransaction(store: Pick<LedgerStore, 'applyHq'>, body: HqTransactionBody, options?: HqApplyOptions): Promise<TxResult> {
  return store.applyHq(body, options);
}
