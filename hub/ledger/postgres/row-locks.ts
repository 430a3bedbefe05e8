/**
 * The row locks a ledger write takes before it reads what it decides on: how several hub workers' batches stay
 * correct at READ COMMITTED without taking turns (issue 15: "hot accounts do not serialise unrelated work").
 *
 * Why not SERIALIZABLE: PostgreSQL tracks a serialisable transaction's reads by index page, and two batches of a few
 * hundred sales with no kiosk and no member in common read and write the same pages (sequences, transactions,
 * journal, point lots): one of nearly every concurrent pair failed and ran again whole (measured, session 7), so the
 * workers had to take turns. Here a batch instead locks exactly the rows its decisions rest on, and waits only for a
 * batch that holds one of the same rows — the same member, gift, code or draw — while unrelated batches run at once.
 *
 * The rule every write path keeps: **lock, then read, then decide**. A read the write path makes through SyncReads
 * names what it reads by a key (sync-reads.ts ReadKey); before such a read is fetched, the lock that guards its rows
 * is taken on the batch's connection, in the same round trip, and each later read of the round trip sees every
 * transaction that held the lock before (READ COMMITTED takes a fresh snapshot per statement):
 * - a member's rows (members, accounts, point lots, daily figures, service cards, cards by member): the member's
 *   `members` row, FOR UPDATE — every write of a member's state happens under it;
 * - a card by uid, a card's daily spend: the card's member's row;
 * - members by phone (a registration's "phone taken"): a transaction advisory lock on the phone;
 * - a gift's stock, chain-wide or a store's: the gift's `gifts` row;
 * - a redemption code: its row; a draw and its prizes: the draw's row.
 * Reads of rows no write decides on (the registry, rules, staff, stored transactions, sequence rows, which the batch
 * locks up front) take none. Writes are relative (balance = balance + amount), so a lock guards a decision, never
 * the arithmetic.
 *
 * The batch prefetch (postgres-batch-prefetch.ts) locks its cards' members with its bulk read of them, in member
 * order, before its other reads of them and their cards. A lock taken later (a referrer's row, an HQ sweep's members one by one) may close a circle with another
 * batch; PostgreSQL then fails one with a deadlock (40P01), which runs again from the start like any conflict.
 *
 * Lock memory lives for one database transaction (cleared with the read cache; a savepoint rolled back releases its
 * row locks, and taking a held lock again costs nothing but the round trip it already shares).
 */
import type { StatementToSend } from './one-round-trip-writes.ts';
import { REFERRER_SQL } from './postgres-row-readers.ts';
import type { ReadKey } from './sync-reads.ts';

/**
 * The advisory lock namespace of phones (two-int form): apart from the kiosk and card claims' (device-claims.ts), whose
 * session locks live on another connection — a phone hashing like a claimed kiosk would otherwise wait on its own
 * batch's claim.
 */
export const PHONE_LOCK_NAMESPACE = 7_316;
/**
 * All phones at once (namespace 7_317, key 0): a registration holds it shared beside its phone's own lock; a member
 * import holds it exclusively instead of one lock per phone. Advisory locks live in PostgreSQL's shared lock table
 * (max_locks_per_transaction × max_connections entries, 6,400 by default): an import of 10,000 rows taking a lock per
 * phone would run out of it. Registrations meanwhile wait for the import's commit, seconds at most.
 */
export const ALL_PHONES_LOCK = '7317, 0';

export interface RowLockOptions {
  /** Lock every phone with one exclusive lock (a member import) rather than each phone read. */
  allPhones?: boolean;
}

/** A lock to take before a read, and the names it holds once taken. */
interface LockPlan {
  statement: StatementToSend;
  /** Names of what the statement locks, known before it runs (a member by id, a gift, a phone). */
  names: string[];
}

/**
 * The referrer column is written once, when a member registers, and never changed: reading who referred whom needs
 * no lock. Without this, every purchase by a referred member would lock the referrer's row while its batch runs.
 */
const UNLOCKED_READS: ReadonlySet<string> = new Set([REFERRER_SQL]);

export class RowLocks {
  private readonly held = new Set<string>();

  constructor(private readonly options: RowLockOptions = {}) {}

  /** The statement to send before a read of `key` (null: the read needs none, or its lock is held already). */
  before(sql: string, key: ReadKey | undefined): StatementToSend | null {
    if (!key || key.value === null || UNLOCKED_READS.has(sql)) return null;
    const plan = planFor(key, this.options);
    if (!plan || plan.names.every((name) => this.held.has(name))) return null;
    return plan.statement;
  }

  /** What a lock statement answered: the member ids it locked (a card's member is known only from its answer). */
  taken(key: ReadKey | undefined, lockedMemberIds: readonly string[]): void {
    const plan = key ? planFor(key, this.options) : null;
    for (const name of plan?.names ?? []) this.held.add(name);
    for (const memberId of lockedMemberIds) this.held.add(memberName(memberId));
  }

  /** Members locked in bulk (the batch prefetch), with the cards they were found by. */
  markMembers(memberIds: Iterable<string>, cardUids: Iterable<string>): void {
    for (const id of memberIds) this.held.add(memberName(id));
    for (const uid of cardUids) this.held.add(cardName(uid));
  }

  /** A new database transaction, or a savepoint rolled back: no lock is known to be held. */
  clear(): void {
    this.held.clear();
  }
}

/** A member's row, locked: what every write of the member's state takes first (batches here; a retention erasure). */
export function memberRowLock(memberId: string): StatementToSend {
  return { sql: 'SELECT member_id FROM members WHERE member_id = $1 FOR UPDATE', params: [memberId] };
}

/** A draw's row, locked: what an entry takes before it reads the draw and its prizes, and a draw's opening or close. */
export function drawRowLock(drawId: string): StatementToSend {
  return { sql: 'SELECT NULL AS member_id FROM draws WHERE draw_id = $1 FOR UPDATE', params: [drawId] };
}

const memberName = (memberId: string) => `member\u0000${memberId}`;
const cardName = (uid: string) => `card\u0000${uid}`;

function planFor(key: ReadKey, options: RowLockOptions): LockPlan | null {
  const value = String(key.value);
  if (key.column === 'member_id') {
    return { statement: memberRowLock(value), names: [memberName(value)] };
  }
  if ((key.table === 'cards' && key.column === 'uid') || (key.table === 'card_daily_spend' && key.column === 'card_uid')) {
    return {
      statement: { sql: 'SELECT member_id FROM members WHERE member_id = (SELECT member_id FROM cards WHERE uid = $1) FOR UPDATE', params: [value] },
      names: [cardName(value)],
    };
  }
  if (key.table === 'members' && key.column === 'phone') {
    if (options.allPhones) return { statement: { sql: `SELECT NULL AS member_id FROM pg_advisory_xact_lock(${ALL_PHONES_LOCK})`, params: [] }, names: ['phones'] };
    return {
      statement: {
        sql: `SELECT NULL AS member_id FROM pg_advisory_xact_lock_shared(${ALL_PHONES_LOCK}), pg_advisory_xact_lock(${PHONE_LOCK_NAMESPACE}, hashtext($1::text))`,
        params: [value],
      },
      names: [`phone\u0000${value}`],
    };
  }
  if ((key.table === 'gifts' || key.table === 'gift_store_stock') && key.column === 'sku') {
    return { statement: { sql: 'SELECT NULL AS member_id FROM gifts WHERE sku = $1 FOR UPDATE', params: [value] }, names: [`gift\u0000${value}`] };
  }
  if (key.table === 'redemption_codes' && key.column === 'code_hash') {
    return { statement: { sql: 'SELECT NULL AS member_id FROM redemption_codes WHERE code_hash = $1 FOR UPDATE', params: [value] }, names: [`code\u0000${value}`] };
  }
  if ((key.table === 'draws' || key.table === 'draw_prizes') && key.column === 'draw_id') {
    return { statement: drawRowLock(value), names: [`draw\u0000${value}`] };
  }
  return null;
}
