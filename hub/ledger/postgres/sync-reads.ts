/**
 * How the ledger's synchronous write path runs over an asynchronous database.
 *
 * `applyReceived` (../apply-received.ts) decides exactly once and in order, and calls its LedgerWritePort
 * synchronously; the rules must not be forked for PostgreSQL, and `pg` answers only with promises. So the
 * PostgreSQL port answers reads from a cache of query results, and a read that is not cached does not block:
 * it throws ReadMiss. The runner (runSynchronously) catches the miss, runs that one query on the batch's
 * connection — inside the batch's database transaction — caches its rows and runs the step again from the start.
 * A step is deterministic given what it reads (its time is the batch's, its ids come from the payload), so the
 * run that finally completes without a miss is the one a synchronous database would have made; the runs before
 * it wrote nothing (writes are buffered by the port and dropped with the run, see pending-writes.ts).
 *
 * A miss can surface inside the planner, whose errors applyReceived catches and records as INTERNAL: so a miss
 * is also remembered here (`missed`), and a run during which any read missed is discarded whatever it returned.
 *
 * Cached rows stay valid while nothing writes the rows they came from. By default a read depends on every table
 * its SQL names (tablesOf reads the table names from the SQL, a superset by construction: every FROM and JOIN)
 * and any write to one of them drops it. A read of one table by one key (a member's balances, a card by uid) may
 * say so (`ReadKey`), and a write may name the key values of the rows it changes (`WrittenKeys`); such a write
 * drops only the reads of its table by a key it names with the same value, or by a key it does not name — so
 * writing member A's balance leaves member B's cached balances in place, which is what lets a batch's reads be
 * fetched in bulk up front (postgres-batch-prefetch.ts) and stay valid while its items write one after another.
 * The cache lives for one database transaction only.
 */
import type pg from 'pg';
import { queryInOneRoundTrip } from './one-round-trip-writes.ts';
import type { RowLocks } from './row-locks.ts';

export type SqlValue = string | number | null;
type Row = Record<string, unknown>;

/** A read the cache could not answer: the runner fetches it and runs the step again. */
export class ReadMiss extends Error {
  constructor(
    readonly sql: string,
    readonly params: readonly SqlValue[],
    readonly key?: ReadKey,
  ) {
    // A miss is control flow, thrown and caught once per uncached read: capturing a stack trace was most of its cost
    // (a second of a worker's CPU in a fleet benchmark run), and nobody reads it.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('read not cached yet (fetched, then the step runs again)');
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'ReadMiss';
  }
}

/** A read of one table's rows by one column's value: dropped only by writes that may touch rows with that value. */
export interface ReadKey {
  table: string;
  /** A column, or a name for several (e.g. `slot` for device, epoch and seq) that reads and writes agree on. */
  column: string;
  value: SqlValue;
}

/** The key values of the rows a write changes, by column (as ReadKey names them); a column not named may be any value. */
export type WrittenKeys = Readonly<Record<string, SqlValue>>;

/** What a write changed: every row of a table (keys undefined), or the rows with these key values. */
export interface WrittenRows {
  table: string;
  keys?: WrittenKeys;
}

interface CachedRead {
  rows: Row[];
  /** Tables any write to which drops this read. */
  tables: readonly string[];
  /** The one table this read depends on only by key (not also in `tables`). */
  key?: ReadKey;
}

export class SyncReads {
  private readonly cache = new Map<string, CachedRead>();
  /**
   * Which cached reads a write to a table drops, so a write looks up what it drops instead of testing every cached
   * read (a batch caches hundreds and writes about ten rows per item): by a table in `tables`, and by key
   * (table, column, value). Kept exactly in step with `cache`.
   */
  private readonly byTable = new Map<string, Set<string>>();
  private readonly byKey = new Map<string, Map<string, Map<SqlValue, Set<string>>>>();
  /** The first read of the current run that missed; null while every read was answered. */
  missed: ReadMiss | null = null;

  /** With locks (a write at READ COMMITTED, row-locks.ts): a read's lock is taken just before the read is fetched. */
  constructor(readonly locks: RowLocks | null = null) {}

  /** The rows of a read; `key` says the read selects `key.table`'s rows by that column's value (see ReadKey). */
  all<T>(sql: string, params: readonly SqlValue[] = [], key?: ReadKey): T[] {
    const hit = this.cache.get(keyOf(sql, params));
    if (hit) return hit.rows as T[];
    const miss = new ReadMiss(sql, params, key);
    this.missed ??= miss;
    throw miss;
  }

  one<T>(sql: string, params: readonly SqlValue[] = [], key?: ReadKey): T | undefined {
    return this.all<T>(sql, params, key)[0];
  }

  /** Runs the read that missed, on the connection of the transaction under way, and caches its rows. */
  async fetchMissed(client: pg.ClientBase): Promise<void> {
    const miss = this.missed;
    if (!miss) return;
    const lock = this.locks?.before(miss.sql, miss.key) ?? null;
    if (lock) {
      // The lock and the read in one round trip, in that order: the read's snapshot is taken after the lock is held.
      const [locked, rows] = await queryInOneRoundTrip(client, [lock, { sql: miss.sql, params: miss.params }]);
      this.locks!.taken(miss.key, locked!.flatMap((row) => (typeof row.member_id === 'string' ? [row.member_id] : [])));
      this.prime(miss.sql, miss.params, rows!, miss.key);
    } else {
      const result = await client.query(miss.sql, [...miss.params]);
      this.prime(miss.sql, miss.params, result.rows as Row[], miss.key);
    }
    this.missed = null;
  }

  /**
   * Caches rows fetched otherwise (in bulk, postgres-batch-prefetch.ts) as the answer to this read: they must be
   * exactly the rows, in the order, that running `sql` with `params` in this transaction now would return.
   */
  prime(sql: string, params: readonly SqlValue[], rows: Row[], key?: ReadKey): void {
    const tables = tablesOf(sql).filter((t) => t !== key?.table);
    const cacheKey = keyOf(sql, params);
    this.drop(cacheKey);
    const read: CachedRead = { rows, tables, ...(key ? { key } : {}) };
    this.cache.set(cacheKey, read);
    for (const table of tables) setIn(this.byTable, table).add(cacheKey);
    if (key) setIn(mapIn(mapIn(this.byKey, key.table), key.column), key.value).add(cacheKey);
  }

  /**
   * Drops every cached read these writes may have changed: a read that names the written table, and a read of it by
   * a key the write names with the same value or does not name (see ReadKey).
   */
  invalidate(written: readonly WrittenRows[]): void {
    for (const write of written) {
      for (const cacheKey of [...(this.byTable.get(write.table) ?? [])]) this.drop(cacheKey);
      for (const [column, byValue] of this.byKey.get(write.table) ?? []) {
        const value = write.keys?.[column];
        const sets = value === undefined ? [...byValue.values()] : [byValue.get(value) ?? new Set<string>()];
        for (const cacheKey of sets.flatMap((set) => [...set])) this.drop(cacheKey);
      }
    }
  }

  /** A new database transaction: nothing read in another one holds. */
  clear(): void {
    this.locks?.clear();
    this.cache.clear();
    this.byTable.clear();
    this.byKey.clear();
    this.missed = null;
  }

  private drop(cacheKey: string): void {
    const read = this.cache.get(cacheKey);
    if (!read) return;
    this.cache.delete(cacheKey);
    for (const table of read.tables) this.byTable.get(table)?.delete(cacheKey);
    if (read.key) this.byKey.get(read.key.table)?.get(read.key.column)?.get(read.key.value)?.delete(cacheKey);
  }
}

function setIn<K>(map: Map<K, Set<string>>, key: K): Set<string> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

function mapIn<K, V extends Map<unknown, unknown>>(map: Map<K, V>, key: K): V {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map() as V));
  return inner;
}

/** Every table a statement reads or writes: the names after FROM, JOIN, INTO and UPDATE (not an upsert's `DO UPDATE SET`). */
export function tablesOf(sql: string): string[] {
  let tables = tablesBySql.get(sql);
  if (!tables) {
    tables = findTables(sql);
    // A bound all the same, should a statement ever carry its values in its text.
    if (tablesBySql.size >= 2_000) tablesBySql.clear();
    tablesBySql.set(sql, tables);
  }
  return tables;
}

/** tablesOf's answers by statement: the statements are this folder's constant SQL, a few hundred at most. */
const tablesBySql = new Map<string, string[]>();

function findTables(sql: string): string[] {
  const names = new Set<string>();
  for (const match of sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_][a-z0-9_]*)/gi)) {
    const name = match[1]!.toLowerCase();
    if (name !== 'set') names.add(name);
  }
  return [...names];
}

function keyOf(sql: string, params: readonly SqlValue[]): string {
  return `${sql}\u0000${JSON.stringify(params)}`;
}

/** A synchronous step's hooks: what to drop when a run is discarded, what to write when one completes. */
export interface StepHooks {
  /** Forget the buffered writes and the state changes of a run that is being discarded. */
  discard(): void;
  /** Write what the completed run buffered (in order, on this connection), or hold it for beforeRead to write. */
  flush(client: pg.ClientBase): Promise<void>;
  /** Before a missed read is fetched: write what completed runs left held, so the read sees it. */
  beforeRead?(client: pg.ClientBase): Promise<void>;
}

/** How many times one step may miss before that is taken for a defect (a read whose key changes every run). */
const MAX_MISSES_PER_STEP = 1_000;

/**
 * Runs `step` until it completes without a read miss, fetching each miss in between, then flushes its writes.
 * A step that throws anything but a miss (with no miss behind it) throws here, its writes dropped.
 */
export async function runSynchronously<T>(client: pg.ClientBase, reads: SyncReads, hooks: StepHooks, step: () => T): Promise<T> {
  for (let misses = 0; misses <= MAX_MISSES_PER_STEP; misses++) {
    reads.missed = null;
    let value: T;
    try {
      value = step();
    } catch (error) {
      if (!reads.missed) {
        hooks.discard();
        throw error;
      }
    }
    if (reads.missed) {
      hooks.discard();
      await hooks.beforeRead?.(client);
      await reads.fetchMissed(client);
      continue;
    }
    await hooks.flush(client);
    return value!;
  }
  throw new Error(`a ledger step missed more than ${MAX_MISSES_PER_STEP} reads: its reads are not deterministic`);
}
