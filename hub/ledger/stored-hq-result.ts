/**
 * A caller-given HQ transaction id that is already stored (a flow run again, another hub process with the same id):
 * answered from the stored result, before any HQ seq is read and inside the same database transaction, so the
 * transaction is applied once on either back end. An id stored for a kiosk's transaction is not HQ's to reuse.
 */
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { LedgerWritePort } from './apply-received.ts';

export function storedHqResult(port: Pick<LedgerWritePort, 'findTransaction'>, id: string): TxResult | null {
  const stored = port.findTransaction(id);
  if (!stored) return null;
  if (stored.slot.deviceId !== HQ_DEVICE_ID) {
    return { id, seq: null, status: 'rejected', code: 'TX_ID_CONFLICT', message: `transaction ${id} is ${stored.slot.deviceId}'s, not HQ's`, recorded: false };
  }
  const original = stored.result.original ?? (stored.result.status === 'rejected' ? 'rejected' : 'applied');
  return { ...stored.result, status: 'exists', original, recorded: true };
}
