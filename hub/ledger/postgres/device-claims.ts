/**
 * Which of a batch's kiosks this writer may apply now: a session advisory lock per kiosk, tried (never waited for)
 * on a pooled connection BEFORE the batch's SERIALIZABLE transaction begins, and released after it ends.
 *
 * Why: with several hub workers, consecutive transactions of one kiosk reach different workers (shared
 * subscriptions hand out messages, not kiosks). Two batches holding the same kiosk used to meet at its
 * device_sequences row: the second waited on FOR UPDATE and then, its snapshot older than the first's commit, failed
 * with a serialisation error — and its whole batch (hundreds of other kiosks' sales) ran again. With batches spanning
 * hundreds of kiosks nearly every pair of concurrent batches shares one, so two workers did less than one. Claimed
 * first, a kiosk is applied by one writer at a time and its sequence row never conflicts; a kiosk another writer
 * holds is left out of this batch and answered TX_DEVICE_BUSY (retry, unrecorded) — a hub worker holds such an
 * item back and applies it again a moment later (hub/ingest/held-back-retry.ts), so workers share the kiosks among
 * themselves batch by batch instead of colliding.
 *
 * Nothing here decides correctness: exactly-once and order still come from the keys and the serialisable
 * transaction. A claim only keeps two writers from doing the same kiosk's work at once. Locks of a session end with
 * it, so a worker that dies (SIGKILL included) frees its kiosks at once.
 */
import type pg from 'pg';

/** The advisory lock namespace (the two-int form: apart from the single-key locks of migrations and the leader). */
export const DEVICE_CLAIM_NAMESPACE = 7_315;

export interface DeviceClaims {
  /** The device ids this writer holds until release(). */
  claimed: ReadonlySet<string>;
  release(): Promise<void>;
}

/** Tries to claim every device id (try-locks: never waits, so no two writers can deadlock); releases on release(). */
export async function claimDevices(pool: pg.Pool, deviceIds: readonly string[]): Promise<DeviceClaims> {
  const wanted = [...new Set(deviceIds)];
  if (wanted.length === 0) return { claimed: new Set(), release: async () => undefined };
  const client = await pool.connect();
  let claimed: string[];
  try {
    const { rows } = await client.query<{ device: string }>(
      `SELECT d AS device FROM unnest($1::text[]) AS d WHERE pg_try_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, hashtext(d))`,
      [wanted],
    );
    claimed = rows.map((r) => r.device);
  } catch (error) {
    // Whatever was taken before the failure ends with the session: not returned to the pool.
    client.release(true);
    throw error;
  }
  let released = false;
  return {
    claimed: new Set(claimed),
    async release() {
      if (released) return;
      released = true;
      try {
        if (claimed.length > 0) await client.query(`SELECT pg_advisory_unlock(${DEVICE_CLAIM_NAMESPACE}, hashtext(d)) FROM unnest($1::text[]) AS d`, [claimed]);
        client.release();
      } catch {
        // A session that cannot unlock is closed: its locks end with it.
        client.release(true);
      }
    },
  };
}
