/**
 * A batch's kiosks and cards, claimed for this writer: session advisory locks taken on a pooled connection BEFORE the
 * batch's database transaction begins, and released after it ends. Kiosks are waited for; cards are only tried, and
 * the items naming a card another writer holds wait for a later batch (claimDevices says why).
 *
 * Why: with several hub workers, consecutive transactions of one kiosk reach different workers (shared
 * subscriptions hand out messages, not kiosks). Two batches holding the same kiosk would meet at its
 * device_sequences row, and the second would do its whole batch's reads only to find the slots filled. Claimed
 * first, the second batch waits for the first to end before it reads anything, then applies on fresh reads. Locks
 * are taken in key order in one statement, so two writers cannot deadlock on them; a claim that waits longer than
 * CLAIM_WAIT_MS (a writer stuck holding kiosks) gives up, and the whole batch is answered TX_DEVICE_BUSY (retry,
 * unrecorded): the kiosks send it again.
 *
 * (Trying the kiosks' locks without waiting and answering the busy kiosks' items at once was tried first: the fleet
 * benchmark's kiosks, four sales in flight each, then handed every sale from worker to worker through the held-back
 * retry's sleeps, and two workers did half of what they do when waiting.)
 *
 * Nothing here decides correctness: exactly-once and order come from the keys and the sequence rows' locks, and
 * every decision from the rows the batch locks before it reads them (row-locks.ts). Batches with no kiosk and no
 * card in common run at the same time. (Until session 8 the workers also took a chain-wide "write turn", because
 * under SERIALIZABLE two such batches failed each other; READ COMMITTED with explicit row locks lifted it.)
 * Locks of a session end with it, so a worker that dies (SIGKILL included) frees its kiosks at once.
 */
import pg from 'pg';
import { queryInOneRoundTrip, textArray, type StatementToSend } from './one-round-trip-writes.ts';

/** The advisory lock namespace (the two-int form: apart from the single-key locks of migrations and the leader). */
export const DEVICE_CLAIM_NAMESPACE = 7_315;

export interface DeviceClaims {
  /** Whether this writer holds every kiosk asked for until release(); false when a wait ran out (none held). */
  granted: boolean;
  /** Cards another writer holds right now (not waited for): the items naming them wait for a later batch. */
  busyCards: ReadonlySet<string>;
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
 * Claims every device id, waiting (in key order) for those another writer holds — none when the wait runs out — and
 * then tries every card UID without waiting: a card another writer holds is reported busy, not waited for.
 *
 * Kiosks are waited for: a kiosk's next seq cannot go before the one another worker is applying anyway. Cards are
 * not: a busy member's sales from two kiosks on two workers would otherwise meet at the member's row lock, and the
 * second whole batch wait for the first — waiting for cards made every pair of batches that shared one card of
 * hundreds take turns, and two workers did the work of one (a fleet's batches share a card or two almost always). Only the few items naming a busy card wait now, for a later batch (held-back-retry.ts). The card's member
 * row lock (row-locks.ts) is what keeps its balance right; the claim only keeps a whole batch from waiting on it.
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
    // Kiosks (waited for, in key order) then cards (tried), in one round trip (simple-query protocol,
    // one-round-trip-writes.ts). A batch waiting here holds no row lock yet, so no wait can close a circle with one.
    const statements: StatementToSend[] = [];
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
        // Cards first, kiosks last, as two statements (one round trip): a batch waiting for one of these kiosks goes
        // on to try its cards the moment it has the kiosk, and must find this batch's cards free by then — released
        // the other way round, it would find them still held and defer its items for nothing.
        await queryInOneRoundTrip(client, [
          { sql: `SELECT pg_advisory_unlock(${DEVICE_CLAIM_NAMESPACE}, k) FROM unnest($1::int[]) AS k`, params: [textArray(cardKeysHeld.map(String))] },
          { sql: `SELECT pg_advisory_unlock(${DEVICE_CLAIM_NAMESPACE}, k) FROM (SELECT DISTINCT hashtext(d) AS k FROM unnest($1::text[]) AS d) AS keys`, params: [textArray(devices)] },
        ]);
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
