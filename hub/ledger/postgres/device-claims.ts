/**
 * A batch's kiosks and cards, claimed for this writer: session advisory locks taken on a pooled connection BEFORE the
 * batch's database transaction begins, and released after it ends. Kiosks are waited for when another writer holds
 * most of them, else left to it; cards are only tried; the items of a kiosk or card left to another writer wait for a
 * later batch (claimDevices says why).
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
  /** Whether this writer holds every kiosk not in busyDevices until release(); false when a wait ran out (none held). */
  granted: boolean;
  /** Kiosks another writer held when tried, not waited for (at most a quarter of the batch's): their items wait for a later batch. */
  busyDevices: ReadonlySet<string>;
  /** Cards another writer holds right now (not waited for): the items naming them wait for a later batch. */
  busyCards: ReadonlySet<string>;
  release(): Promise<void>;
}

/**
 * The largest share of a batch's kiosks left to other writers (their items deferred) rather than waited for. Measured
 * with four workers in the closed-loop benchmark (fleet-throughput, four sales in flight per kiosk): leaving up to
 * half gave 455–532 tx/s, a quarter 678, always waiting 646; the 5,000-kiosk run's copies are a few percent.
 */
export const MAX_DEFERRED_KIOSK_SHARE = 0.25;

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
 * Claims the batch's kiosks and cards. Everything is first tried without waiting. When no more than a quarter of the
 * batch's kiosks (MAX_DEFERRED_KIOSK_SHARE) are held by another writer, those are left to it: their items wait for a later batch (as busy
 * cards' do). When more are, what was taken is let go and the kiosks are waited for, in key order — none held when
 * the wait runs out — and the cards tried again.
 *
 * Why both: a kiosk with several sales in flight at once (a closed-loop benchmark, a kiosk draining its outbox) has
 * them in nearly every batch of every worker; its next seq cannot go before the one another worker is applying, so
 * waiting is right — deferring them passed every sale from worker to worker through the hold-back's sleeps (measured
 * worse). But a batch that shares only a few kiosks with another writer's shares them mostly through copies: a
 * kiosk that heard nothing for 5 s resends, and the copy reaches the other worker while the first is applied. Waiting
 * for those made both workers take turns on whole batches; under load that fed itself — slower batches, more
 * resends, more copies (the 5,000-kiosk benchmark on a loaded machine: p99 over 40 s). Deferred, a copy is answered
 * `exists` a moment later and the rest of the batch goes on at once.
 *
 * Cards are never waited for: a busy member's sales from two kiosks on two workers would otherwise meet at the
 * member's row lock, and the second whole batch wait for the first — waiting for cards made every pair of batches
 * that shared one card of hundreds take turns, and two workers did the work of one. Only the few items naming a busy
 * card wait, for a later batch (held-back-retry.ts). The card's member row lock (row-locks.ts) is what keeps its
 * balance right; the claim only keeps a whole batch from waiting on it.
 *
 * Keys are hashes (hashtext), so a card's may equal a kiosk's: one already held in this session is not tried again.
 */
export async function claimDevices(pool: pg.Pool, deviceIds: readonly string[], cardUids: readonly string[] = []): Promise<DeviceClaims> {
  const devices = [...new Set(deviceIds)];
  const cards = [...new Set(cardUids)];
  if (devices.length === 0 && cards.length === 0) return { granted: true, busyDevices: new Set(), busyCards: new Set(), release: async () => undefined };
  const client = await pool.connect();
  try {
    let outcome = readClaims((await queryInOneRoundTrip(client, [claimStatement(devices, cards, 'try')]))[0]!);
    if (outcome.busyDevices.size > devices.length * MAX_DEFERRED_KIOSK_SHARE) {
      // Too many of the batch's kiosks are another writer's: let go of what was taken, then wait for all in key order.
      await queryInOneRoundTrip(client, unlockStatements(outcome.held));
      outcome = readClaims((await queryInOneRoundTrip(client, [claimStatement(devices, cards, 'wait')]))[0]!);
    }
    const { held, busyDevices, busyCards } = outcome;
    let released = false;
    return {
      granted: true,
      busyDevices,
      busyCards,
      async release() {
        if (released) return;
        released = true;
        try {
          await queryInOneRoundTrip(client, unlockStatements(held));
          client.release();
        } catch {
          // A session that cannot unlock is closed: its locks end with it.
          client.release(true);
        }
      },
    };
  } catch (error) {
    // Whatever was taken before the failure (a lock wait timed out) ends with the session: not returned to the pool.
    client.release(true);
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return { granted: false, busyDevices: new Set(), busyCards: new Set(), release: async () => undefined };
    throw error;
  }
}

interface HeldKeys {
  kiosks: number[];
  cards: number[];
}

/**
 * One statement answering, per kiosk and per card, whether it is now held (`got`): kiosks tried or waited for (in key
 * order, the order two waiting writers must share), then cards tried — in the try, only when no more than
 * MAX_DEFERRED_KIOSK_SHARE of the kiosks were busy: a batch that is going to let go and wait must not hold, even for
 * a moment, a card the batch ahead of it would then find busy. (Materialised CTEs calling a volatile function are
 * evaluated whole, once, in that order.) A batch waiting here holds no row lock yet, so no wait closes a circle with one.
 */
function claimStatement(devices: readonly string[], cards: readonly string[], kiosks: 'try' | 'wait'): StatementToSend {
  const keys = '(SELECT DISTINCT k FROM wanted_kiosks ORDER BY k) AS keys';
  const kioskGot =
    kiosks === 'try'
      ? `SELECT k, pg_try_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, k) AS got FROM ${keys}`
      : // pg_advisory_lock answers void: its rows are `true` once it returned.
        `SELECT k, true AS got FROM (SELECT k, pg_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, k) AS locked FROM ${keys}) AS taken`;
  return {
    sql: `WITH wanted_kiosks AS (SELECT d, hashtext(d) AS k FROM unnest($1::text[]) AS d),
      kiosk_got AS MATERIALIZED (${kioskGot}),
      go_on AS (SELECT count(*) FILTER (WHERE NOT got) <= ${MAX_DEFERRED_KIOSK_SHARE} * count(*) AS ok FROM kiosk_got),
      wanted_cards AS (SELECT uid, hashtext('card:' || uid) AS k FROM unnest($2::text[]) AS uid),
      card_got AS MATERIALIZED (
        SELECT k, pg_try_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, k) AS got
        FROM (SELECT DISTINCT k FROM wanted_cards WHERE k NOT IN (SELECT k FROM wanted_kiosks)) AS card_keys
        WHERE (SELECT ok FROM go_on))
    SELECT 'kiosk' AS kind, w.d AS name, w.k, g.got FROM wanted_kiosks w JOIN kiosk_got g ON g.k = w.k
    UNION ALL
    SELECT 'card', w.uid, w.k, g.got FROM wanted_cards w LEFT JOIN card_got g ON g.k = w.k`,
    params: [textArray(devices), textArray(cards)],
  };
}

function readClaims(rows: readonly Record<string, unknown>[]): { held: HeldKeys; busyDevices: Set<string>; busyCards: Set<string> } {
  const busyDevices = new Set<string>();
  const busyCards = new Set<string>();
  const kiosks = new Set<number>();
  const cards = new Set<number>();
  for (const row of rows as { kind: 'kiosk' | 'card'; name: string; k: number; got: boolean | null }[]) {
    if (row.kind === 'kiosk') {
      if (row.got) kiosks.add(Number(row.k));
      else busyDevices.add(row.name);
    } else if (row.got === true) cards.add(Number(row.k));
    // A card's got null: its key is one of this batch's kiosk keys, or it was not tried (the batch will wait instead).
    else if (row.got === false) busyCards.add(row.name);
  }
  return { held: { kiosks: [...kiosks], cards: [...cards] }, busyDevices, busyCards };
}

/**
 * Cards first, kiosks last, as two statements (one round trip): a batch waiting for one of these kiosks goes on to
 * try its cards the moment it has the kiosk, and must find this batch's cards free by then — released the other
 * way round, it would find them still held and defer its items for nothing.
 */
function unlockStatements(held: HeldKeys): StatementToSend[] {
  return [
    { sql: `SELECT pg_advisory_unlock(${DEVICE_CLAIM_NAMESPACE}, k) FROM unnest($1::int[]) AS k`, params: [textArray(held.cards.map(String))] },
    { sql: `SELECT pg_advisory_unlock(${DEVICE_CLAIM_NAMESPACE}, k) FROM unnest($1::int[]) AS k`, params: [textArray(held.kiosks.map(String))] },
  ];
}

/** PostgreSQL's lock_not_available: a lock wait ran past lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';
