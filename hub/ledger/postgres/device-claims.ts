/**
 * A batch's kiosks, claimed for this writer: a session advisory lock per kiosk, taken on a pooled connection BEFORE
 * the batch's SERIALIZABLE transaction begins, and released after it ends.
 *
 * Why: with several hub workers, consecutive transactions of one kiosk reach different workers (shared
 * subscriptions hand out messages, not kiosks). Two batches holding the same kiosk used to meet at its
 * device_sequences row: the second waited on FOR UPDATE and then, its snapshot older than the first's commit, failed
 * with a serialisation error — and its whole batch (hundreds of other kiosks' sales) ran again. Claimed first, the
 * second batch waits for the first to end *before* its snapshot is taken, then applies on fresh reads: the same wait,
 * without the failure and the rerun. Locks are taken in key order in one statement, so two writers cannot deadlock;
 * a claim that waits longer than CLAIM_WAIT_MS (a writer stuck holding kiosks) gives up, and the whole batch is
 * answered TX_DEVICE_BUSY (retry, unrecorded): the kiosks send it again.
 *
 * (Trying the locks without waiting and answering the busy kiosks' items at once was tried first: the fleet
 * benchmark's kiosks, four sales in flight each, then handed every sale from worker to worker through the held-back
 * retry's sleeps, and two workers did half of what they do when waiting.)
 *
 * Nothing here decides correctness: exactly-once and order still come from the keys and the serialisable
 * transaction. Locks of a session end with it, so a worker that dies (SIGKILL included) frees its kiosks at once.
 */
import pg from 'pg';

/** The advisory lock namespace (the two-int form: apart from the single-key locks of migrations and the leader). */
export const DEVICE_CLAIM_NAMESPACE = 7_315;

export interface DeviceClaims {
  /** Whether this writer holds every kiosk and card asked for until release(); false when the wait ran out (none held). */
  granted: boolean;
  release(): Promise<void>;
}

/** How long a batch waits for kiosks another writer holds before it is answered TX_DEVICE_BUSY instead. */
export const CLAIM_WAIT_MS = 5_000;

/**
 * The connections claims wait on: lock_timeout set once per connection (CLAIM_WAIT_MS), so a claim is two round
 * trips (lock, unlock) and the ledger's own connections keep waiting on row locks as long as they must. Two: the
 * ingest applies one batch at a time; the second is for a batch of HQ's or a replay beside it.
 */
export function newClaimsPool(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 2, options: `-c lock_timeout=${CLAIM_WAIT_MS}` });
}

/**
 * Claims every device id and card UID, waiting (in key order) for those another writer holds; none when the wait
 * runs out. Cards too: a busy member's sales from two kiosks on two workers otherwise meet on the member's rows and
 * one whole batch fails its serialisation and runs again (with a fleet's batches of hundreds, over and over).
 */
export async function claimDevices(pool: pg.Pool, deviceIds: readonly string[], cardUids: readonly string[] = []): Promise<DeviceClaims> {
  const wanted = [...new Set(deviceIds), ...new Set(cardUids.map((uid) => `card:${uid}`))];
  if (wanted.length === 0) return { granted: true, release: async () => undefined };
  const client = await pool.connect();
  try {
    await client.query(
      `SELECT pg_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, k) FROM (SELECT DISTINCT hashtext(d) AS k FROM unnest($1::text[]) AS d ORDER BY k) AS keys`,
      [wanted],
    );
  } catch (error) {
    // Whatever was taken before the failure (a lock wait timed out) ends with the session: not returned to the pool.
    client.release(true);
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return { granted: false, release: async () => undefined };
    throw error;
  }
  let released = false;
  return {
    granted: true,
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query(`SELECT pg_advisory_unlock(${DEVICE_CLAIM_NAMESPACE}, k) FROM (SELECT DISTINCT hashtext(d) AS k FROM unnest($1::text[]) AS d) AS keys`, [wanted]);
        client.release();
      } catch {
        // A session that cannot unlock is closed: its locks end with it.
        client.release(true);
      }
    },
  };
}

/** PostgreSQL's lock_not_available: a lock wait ran past lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';
