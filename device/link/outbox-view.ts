/** The outbox as the delivery machine reads it: pending entries, the oldest one, an entry's current slot, closed entries to replay. */
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { DeliveryView } from './delivery-contract.ts';

export function outboxView(outbox: Outbox): DeliveryView {
  return {
    pendingFrom: (pos, limit) => outbox.pendingFrom(pos, limit),
    closedFrom: (epoch, fromSeq, limit) => outbox.closedFrom(epoch, fromSeq, limit),
    oldestPendingPos: () => outbox.oldestPending()?.pos ?? null,
    nextPos: () => outbox.nextPos(),
    epoch: () => outbox.epoch(),
    pendingSlot(id) {
      const entry = outbox.get(id);
      return entry && entry.status === 'pending' ? { epoch: entry.epoch, seq: entry.seq } : null;
    },
  };
}
