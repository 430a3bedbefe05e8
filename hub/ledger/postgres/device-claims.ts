/**
 * A batch's turn to write, and its kiosks and cards, claimed for this writer: session advisory locks taken on a
 * pooled connection BEFORE the batch's SERIALIZABLE transaction begins, and released after it ends. The write turn
 * first (one batch of kiosk transactions at a time in the whole chain: see WRITE_TURN_LOCK_KEY for why), then a lock
 * per kiosk and per card. Kiosks are waited for; cards are only tried, and the items naming a card another writer
 * holds wait for a later batch (claimDevices says why).
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
 * (Trying the kiosks' locks without waiting and answering the busy kiosks' items at once was tried first: the fleet
 * benchmark's kiosks, four sales in flight each, then handed every sale from worker to worker through the held-back
 * retry's sleeps, and two workers did half of what they do when waiting.)
 *
 * Nothing here decides correctness: exactly-once and order still come from the keys and the serialisable
 * transaction. Locks of a session end with it, so a worker that dies (SIGKILL included) frees its kiosks at once.
 */
import pg from 'pg';
import { queryInOneRoundTrip, textArray, type StatementToSend } from './one-round-trip-writes.ts';

/** The advisory lock namespace (the two-int form: apart from the single-key locks of migrations and the leader). */
export const DEVICE_CLAIM_NAMESPACE = 7_315;

/**
 * The write turn (a single-key advisory lock; migrations use 7_315_001, the leader 7_315_002): held by the one worker
 * whose batch of kiosk transactions is being applied, so two workers' batches never run at once.
 *
 * Why, measured: under SERIALIZABLE, PostgreSQL tracks what a transaction read at the granularity of index pages.
 * Two batches of a few hundred sales each — no kiosk and no member in common — read and write the same pages of the
 * same indexes (sequence rows, transactions, journal, point lots), and in every such pair one batch failed its
 * serialisation and ran again whole (postgres-concurrent-writers.test.ts shows it).
 * Two workers then did less than one: a fleet benchmark of 5,000 kiosks on two workers confirmed its sales in a p99
 * of 54 s (batches rerun, kiosks resending), and in 4 s with the turn. The turn makes the batches take turns
 * without the failed run between. The workers still share the rest: MQTT, parsing, look-ups, the registry, and
 * each other's failure. What would lift it — explicit row locks at a weaker isolation level — is a change to every
 * write path of the ledger, not made yet (docs/ARCHITECTURE.md).
 */
export const WRITE_TURN_LOCK_KEY = 7_315_003;

export interface DeviceClaims {
  /** Whether this writer holds the write turn and every kiosk asked for until release(); false when a wait ran out (none held). */
  granted: boolean;
  /** Cards another writer holds right now (not waited for): the items naming them wait for a later batch. */
  busyCards: ReadonlySet<string>;
  release(): Promise<void>;
}

/** How long a batch waits for the write turn, and for kiosks another writer holds, before it is answered TX_DEVICE_BUSY instead. */
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
 * Claims every device id, waiting (in key order) for those another writer holds — none when the wait runs out — and
 * then tries every card UID without waiting: a card another writer holds is reported busy, not waited for.
 *
 * Kiosks are waited for: a kiosk's next seq cannot go before the one another worker is applying anyway. Cards are
 * not: a busy member's sales from two kiosks on two workers would otherwise meet on the member's rows and one whole
 * batch fail its serialisation and run again — but waiting for them made every pair of batches that shared one card
 * of hundreds take turns, and two workers did the work of one (a fleet's batches share a card or two almost
 * always). Only the few items naming a busy card wait now, for a later batch (held-back-retry.ts).
 *
 * The write turn (WRITE_TURN_LOCK_KEY) is taken first. While every writer of kiosk batches takes it, kiosk and card
 * claims meet no other holder — they are released with the turn — and are kept for the day the turn is lifted (and
 * against any writer that claims without it); the kiosk wait and the card deferral are tested with a lock held from
 * outside (postgres-concurrent-writers.test.ts).
 *
 * Keys are hashes (hashtext), so a card's may equal a kiosk's: one already held in this session is not tried again.
 */
export async function claimDevices(pool: pg.Pool, deviceIds: readonly string[], cardUids: readonly string[] = []): Promise<DeviceClaims> {
  const devices = [...new Set(deviceIds)];
  const cards = [...new Set(cardUids)];
  if (devices.length === 0 && cards.length === 0) return { granted: true, busyCards: new Set(), release: async () => undefined };
  const client = await pool.connect();
  let cardKeysHeld: number[] = [];
  const busyCards = new Set<string>();
  try {
    // The turn first: a batch waiting for it holds nothing, and the batch holding it waits for nothing but the
    // kiosks of a batch that does not take turns (none today), so no wait can close a circle. All three in one
    // round trip (simple-query protocol, one-round-trip-writes.ts), in this order.
    const statements: StatementToSend[] = [{ sql: `SELECT pg_advisory_lock(${WRITE_TURN_LOCK_KEY})`, params: [] }];
    if (devices.length > 0) {
      statements.push({ sql: `SELECT pg_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, k) FROM (SELECT DISTINCT hashtext(d) AS k FROM unnest($1::text[]) AS d ORDER BY k) AS keys`, params: [textArray(devices)] });
    }
    if (cards.length > 0) {
      statements.push({
        sql: `WITH wanted AS (SELECT uid, hashtext('card:' || uid) AS k FROM unnest($1::text[]) AS uid),
              keys AS (SELECT DISTINCT k FROM wanted WHERE k NOT IN (SELECT hashtext(d) FROM unnest($2::text[]) AS d)),
              got AS (SELECT k, pg_try_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, k) AS got FROM keys)
         SELECT wanted.uid, wanted.k, got.got FROM wanted LEFT JOIN got ON got.k = wanted.k`,
        params: [textArray(cards), textArray(devices)],
      });
    }
    const answers = await queryInOneRoundTrip(client, statements);
    if (cards.length > 0) {
      const tried = answers[answers.length - 1] as { uid: string; k: number; got: boolean | null }[];
      // got null: the key is one of this batch's kiosk keys, already held.
      for (const row of tried) if (row.got === false) busyCards.add(row.uid);
      cardKeysHeld = [...new Set(tried.filter((r) => r.got === true).map((r) => Number(r.k)))];
    }
  } catch (error) {
    // Whatever was taken before the failure (a lock wait timed out) ends with the session: not returned to the pool.
    client.release(true);
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return { granted: false, busyCards: new Set(), release: async () => undefined };
    throw error;
  }
  let released = false;
  return {
    granted: true,
    busyCards,
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query(
          `SELECT pg_advisory_unlock(${DEVICE_CLAIM_NAMESPACE}, k) FROM (SELECT DISTINCT hashtext(d) AS k FROM unnest($1::text[]) AS d UNION ALL SELECT unnest($2::int[])) AS keys
           UNION ALL SELECT pg_advisory_unlock(${WRITE_TURN_LOCK_KEY})`,
          [devices, cardKeysHeld],
        );
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
