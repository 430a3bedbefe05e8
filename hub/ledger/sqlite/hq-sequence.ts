/**
 * HQ's own sequence (device "hq", epoch ''), for the sweeps that record HQ transactions directly (points
 * expiry, tier reviews). Both read and advance it inside the database transaction that records them.
 */
import type { Database } from 'better-sqlite3';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';

export interface HqSequence {
  last(): number;
  advanceTo(seq: number): void;
}

export function hqSequence(db: Database): HqSequence {
  const read = db.prepare<[string], { last_seq: number }>("SELECT last_seq FROM device_sequences WHERE device_id = ? AND epoch = ''");
  const write = db.prepare(
    "INSERT INTO device_sequences (device_id, epoch, last_seq) VALUES (?, '', ?) ON CONFLICT(device_id, epoch) DO UPDATE SET last_seq = excluded.last_seq",
  );
  return {
    last: () => read.get(HQ_DEVICE_ID)?.last_seq ?? 0,
    advanceTo: (seq) => void write.run(HQ_DEVICE_ID, seq),
  };
}
