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
 * it wrote nothing (writes are buffered by the port and dropped with the run, see postgres-write-port.ts).
 *
 * A miss can surface inside the planner, whose errors applyReceived catches and records as INTERNAL: so a miss
 * is also remembered here (`missed`), and a run during which any read missed is discarded whatever it returned.
 *
 * Cached rows stay valid while nothing writes the tables they came from: the port's writes name their table,
 * and flushing them drops the cached reads of those tables (tablesOf reads the table names from the SQL, a
 * superset by construction: every FROM and JOIN). The cache lives for one database transaction only.
 */
import type pg from 'pg';

export type SqlValue = string | number | null;
type Row = Record<string, unknown>;

/** A read the cache could not answer: the runner fetches it and runs the step again. */
export class ReadMiss extends Error {
  constructor(
    readonly sql: string,
    readonly params: readonly SqlValue[],
  ) {
    super('read not cached yet (fetched, then the step runs again)');
    this.name = 'ReadMiss';
  }
}

interface CachedRead {
  rows: Row[];
  tables: readonly string[];
}

export class SyncReads {
  private readonly cache = new Map<string, CachedRead>();
  /** The first read of the current run that missed; null while every read was answered. */
  missed: ReadMiss | null = null;

  all<T>(sql: string, params: readonly SqlValue[] = []): T[] {
    const hit = this.cache.get(keyOf(sql, params));
    if (hit) return hit.rows as T[];
    const miss = new ReadMiss(sql, params);
    this.missed ??= miss;
    throw miss;
  }

  one<T>(sql: string, params: readonly SqlValue[] = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  /** Runs the read that missed, on the connection of the transaction under way, and caches its rows. */
  async fetchMissed(client: pg.ClientBase): Promise<void> {
    const miss = this.missed;
    if (!miss) return;
    const result = await client.query(miss.sql, [...miss.params]);
    this.cache.set(keyOf(miss.sql, miss.params), { rows: result.rows as Row[], tables: tablesOf(miss.sql) });
    this.missed = null;
  }

  /** Drops every cached read of these tables (they were just written). */
  invalidate(tables: ReadonlySet<string>): void {
    if (tables.size === 0) return;
    for (const [key, cached] of this.cache) {
      if (cached.tables.some((t) => tables.has(t))) this.cache.delete(key);
    }
  }

  /** A new database transaction: nothing read in another one holds. */
  clear(): void {
    this.cache.clear();
    this.missed = null;
  }
}

/** Every table a statement reads or writes: the names after FROM, JOIN, INTO and UPDATE. */
export function tablesOf(sql: string): string[] {
  const names = new Set<string>();
  for (const match of sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_][a-z0-9_]*)/gi)) names.add(match[1]!.toLowerCase());
  return [...names];
}

function keyOf(sql: string, params: readonly SqlValue[]): string {
  return `${sql}\u0000${JSON.stringify(params)}`;
}

/** A synchronous step's hooks: what to drop when a run is discarded, what to write when one completes. */
export interface StepHooks {
  /** Forget the buffered writes and the state changes of a run that is being discarded. */
  discard(): void;
  /** Write what the completed run buffered (in order, on this connection); resolves once written. */
  flush(client: pg.ClientBase): Promise<void>;
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
      await reads.fetchMissed(client);
      continue;
    }
    await hooks.flush(client);
    return value!;
  }
  throw new Error(`a ledger step missed more than ${MAX_MISSES_PER_STEP} reads: its reads are not deterministic`);
}
