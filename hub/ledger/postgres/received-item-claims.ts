/**
 * What a received kiosk transaction names for the kiosk and card claims (device-claims.ts), and what becomes of the
 * items another hub worker holds (moved out of postgres-ledger-store.ts). Kept apart from the write path because
 * they decide only which items this worker applies now: an item left out is answered TX_DEVICE_BUSY, nothing
 * recorded, and its kiosk sends it again in a moment.
 */
import type { TxResult } from '../../../core/wire/result.ts';
import type { ReceivedTransaction } from '../ledger-store.ts';

export function itemTxId(item: ReceivedTransaction): string | null {
  const { parsed } = item;
  if (parsed.ok) return parsed.tx.id;
  return parsed.stage === 'body' ? parsed.header.id : null;
}

/** The answer for an item whose kiosk another writer holds: nothing recorded, sent again in a moment. */
export function deviceBusy(item: ReceivedTransaction): TxResult {
  const { parsed } = item;
  const header = parsed.ok ? parsed.tx : parsed.stage === 'body' ? parsed.header : null;
  return {
    id: header?.id ?? null,
    seq: header?.seq ?? null,
    ...(header ? { epoch: header.epoch } : {}),
    status: 'rejected',
    code: 'TX_DEVICE_BUSY',
    message: "another hub worker is applying this kiosk's or this card's transactions",
    retry: true,
    recorded: false,
  };
}

/** The batch without the items of a kiosk left to another writer, nor those naming a busy card or following one in its kiosk epoch. */
export function withoutBusy(batch: ReceivedTransaction[], busyDevices: ReadonlySet<string>, busyCards: ReadonlySet<string>): ReceivedTransaction[] {
  if (busyDevices.size === 0 && busyCards.size === 0) return batch;
  const stopped = new Set<string>();
  return batch.filter((item) => {
    const slot = itemSlot(item);
    if (slot && busyDevices.has(slot.deviceId)) return false;
    const epochKey = slot ? `${slot.deviceId}\u0000${slot.epoch}` : null;
    const waits = (epochKey !== null && stopped.has(epochKey)) || itemCard(item).some((uid) => busyCards.has(uid));
    if (waits && epochKey !== null) stopped.add(epochKey);
    return !waits;
  });
}

/** The card a kiosk transaction names (its member's accounts are what two writers' batches would both change). */
export function itemCard(item: ReceivedTransaction): string[] {
  const { parsed } = item;
  return parsed.ok && 'cardUid' in parsed.tx && typeof parsed.tx.cardUid === 'string' ? [parsed.tx.cardUid] : [];
}

export function itemSlot(item: ReceivedTransaction): { deviceId: string; epoch: string } | null {
  const { parsed } = item;
  if (parsed.ok) return { deviceId: parsed.tx.deviceId, epoch: parsed.tx.epoch };
  return parsed.stage === 'body' ? { deviceId: parsed.header.deviceId, epoch: parsed.header.epoch } : null;
}
