/**
 * HQ's transactions as both ledger back ends put them through the one write path: the item an HQ body becomes
 * (HQ's device, its own epoch '', the seq the back end took inside the database transaction), and the answer to a
 * caller-given id that is already stored (a flow run again, another hub process with the same id) — given from the
 * stored result before any HQ seq is read, so the transaction is applied once. An id stored for a kiosk's
 * transaction is not HQ's to reuse.
 */
import { randomBytes } from 'node:crypto';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import type { LedgerWritePort } from './apply-received.ts';
import { parseLedgerTransaction } from './ledger-parse.ts';
import type { HqTransactionBody, ReceivedTransaction } from './ledger-store.ts';

const nextHqId = createUlidFactory(Date.now, (n) => randomBytes(n));

/** An HQ body as a received transaction in HQ's order: `seq` is the one the back end took for it (its lock held). */
export function hqItem(body: HqTransactionBody, slot: { id: string | undefined; seq: number; createdAt: string; bundleVersion: number }): ReceivedTransaction {
  const tx = { ...body, v: TX_FORMAT, id: slot.id ?? nextHqId(), deviceId: HQ_DEVICE_ID, epoch: '', seq: slot.seq, createdAt: slot.createdAt, bundleVersion: slot.bundleVersion };
  return { topicDeviceId: HQ_DEVICE_ID, parsed: parseLedgerTransaction(JSON.stringify(tx)) };
}

export function storedHqResult(port: Pick<LedgerWritePort, 'findTransaction'>, id: string): TxResult | null {
  const stored = port.findTransaction(id);
  if (!stored) return null;
  if (stored.slot.deviceId !== HQ_DEVICE_ID) {
    return { id, seq: null, status: 'rejected', code: 'TX_ID_CONFLICT', message: `transaction ${id} is ${stored.slot.deviceId}'s, not HQ's`, recorded: false };
  }
  const original = stored.result.original ?? (stored.result.status === 'rejected' ? 'rejected' : 'applied');
  return { ...stored.result, status: 'exists', original, recorded: true };
}
