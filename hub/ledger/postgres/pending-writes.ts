/**
 * The write port's buffer (moved out of postgres-write-port.ts): a step's statements wait here, with the rows each
 * one writes, until the step completed without a read miss (sync-reads.ts), and go in one round trip (or are held
 * for the batch); every change to the port's own state registers how to undo it, so a discarded run leaves no trace.
 */
import type pg from 'pg';
import { sendInOneRoundTrip } from './one-round-trip-writes.ts';
import { planSetBased } from './set-based-writes.ts';
import { tablesOf, type SqlValue, type SyncReads, type WrittenKeys, type WrittenRows } from './sync-reads.ts';

interface PendingWrite {
  sql: string;
  params: SqlValue[];
  /** What the statement may change: the cached reads to drop once it ran (sync-reads.ts). */
  written: WrittenRows[];
  /** The rows the statement must change; another count is a defect, and the batch rolls back. */
  expectRows?: number;
  what?: string;
}

export class PendingWrites {
  /** The current step's writes and how to undo its state changes. */
  private pending: PendingWrite[] = [];
  private undo: (() => void)[] = [];
  /** While set (hold), completed steps' writes wait in `held` and go in one round trip (sendHeld). */
  private holding = false;
  private held: PendingWrite[] = [];

  constructor(private readonly reads: SyncReads) {}

  /** A new database transaction (a batch, or its retry): nothing pending, held or to undo from another. */
  reset(): void {
    this.pending = [];
    this.undo = [];
    this.holding = false;
    this.held = [];
  }

  /**
   * From now on the database transaction's completed steps do not write one by one: their writes are held and
   * sent in one round trip, before the next read that misses the cache and at sendHeld (before COMMIT). Only for a
   * batch that is one unit: a held write that fails surfaces later, at that send, and fails the whole batch
   * (rolled back, then replayed item by item in savepoints — where writes are sent step by step again).
   */
  hold(): void {
    this.holding = true;
  }

  /** Writes what completed steps left held, in order, in one round trip. */
  async sendHeld(client: pg.ClientBase): Promise<void> {
    const writes = this.held;
    this.held = [];
    await this.send(client, writes);
  }

  /** The step is discarded (sync-reads.ts): its writes are dropped and its state changes undone, newest first. */
  discard(): void {
    for (const undo of this.undo.reverse()) undo();
    this.undo = [];
    this.pending = [];
  }

  async flush(client: pg.ClientBase): Promise<void> {
    const writes = this.pending;
    this.pending = [];
    if (this.holding) {
      // Written later, before anything reads: from now on the cache must already not answer what they change.
      this.reads.invalidate(writes.flatMap((w) => w.written));
      this.held.push(...writes);
      this.undo = [];
      return;
    }
    try {
      await this.send(client, writes);
    } catch (error) {
      // The caller rolls the database back (the batch, or the item's savepoint): the port's state goes back with it.
      this.discard();
      throw error;
    } finally {
      // What the step wrote (or began to write) is no longer what the cache holds.
      this.reads.invalidate(writes.flatMap((w) => w.written));
    }
    this.undo = [];
  }

  /**
   * The statements in one round trip (one-round-trip-writes.ts), merged set-based where that is safe (one statement
   * per table and kind: set-based-writes.ts), each checked for the rows it must change.
   */
  private async send(client: pg.ClientBase, writes: readonly PendingWrite[]): Promise<void> {
    const planned = planSetBased(writes);
    const changed = await sendInOneRoundTrip(client, planned);
    for (const [i, write] of planned.entries()) {
      if (write.expectRows !== undefined && changed[i] !== write.expectRows) {
        throw new Error(`${write.what ?? 'a write'}: ${changed[i] ?? 0} rows changed, ${write.expectRows} expected`);
      }
    }
  }

  /**
   * Buffers a statement. `keys` names the key values of the rows it changes in the table it writes (see
   * sync-reads.ts WrittenKeys): then only the cached reads of those keys are dropped, not the whole table's.
   */
  write(sql: string, params: SqlValue[], check?: { expectRows: number; what: string }, keys?: WrittenKeys): void {
    this.pending.push({ sql, params, written: writtenBy(sql, keys), ...check });
  }

  /** Sets a cached value, remembering how to put the old one back should the run be discarded. */
  change<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const old = map.get(key);
    map.set(key, value);
    this.undo.push(() => (had ? map.set(key, old as V) : map.delete(key)));
  }

  /** How to undo a change to the port's own state, should the run be discarded. */
  onUndo(undo: () => void): void {
    this.undo.push(undo);
  }
}

/**
 * What a buffered statement may change: with keys, the rows of the table it writes (the first after INTO or
 * UPDATE) with those key values, and every other table its SQL names whole; without, every table its SQL names.
 */
export function writtenBy(sql: string, keys: WrittenKeys | undefined): WrittenRows[] {
  const target = keys ? /\b(?:INTO|UPDATE)\s+([a-z_][a-z0-9_]*)/i.exec(sql)?.[1]?.toLowerCase() : undefined;
  return tablesOf(sql).map((table) => (table === target ? { table, keys: keys! } : { table }));
}
