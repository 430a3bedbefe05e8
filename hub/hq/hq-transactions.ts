/**
 * Transactions that start at HQ rather than on a kiosk (opening balances, manual corrections) go through
 * the very same ledger path, as device "hq" with the hub's own sequence, so they are journaled, exactly-once
 * and audited like any other.
 */
import { randomBytes } from 'node:crypto';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { parseTransaction } from '../../core/wire/parse-transaction.ts';
import type { TransactionInput } from '../../core/wire/transaction.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';

export { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type HqTransactionBody = DistributiveOmit<TransactionInput, 'id' | 'deviceId' | 'seq' | 'createdAt' | 'bundleVersion'>;

export function submitHqTransaction(store: LedgerStore, body: HqTransactionBody): TxResult {
  const bundle = store.latestRulesBundle();
  const tx = {
    ...body,
    id: nextId(),
    deviceId: HQ_DEVICE_ID,
    seq: store.lastSeq(HQ_DEVICE_ID) + 1,
    createdAt: new Date().toISOString(),
    bundleVersion: bundle?.version ?? 0,
  };
  const [result] = store.applyBatch([{ topicDeviceId: HQ_DEVICE_ID, parsed: parseTransaction(JSON.stringify(tx)) }]);
  if (!result) throw new Error('ledger returned no result');
  return result;
}
