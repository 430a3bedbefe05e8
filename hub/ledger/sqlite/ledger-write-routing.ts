/**
 * Where the SQLite ledger applies a write when it has a writer thread (ledger-writer-thread.ts): a large batch on the
 * thread, a small one on the hub's own connection, one at a time in call order whichever side applies it.
 * Moved out of sqlite-ledger-store.ts: the store only asks it, and tests of the order read one place.
 */
import type { TxResult } from '../../../core/wire/result.ts';
import type { LedgerWriterThread } from './ledger-writer-thread.ts';

/**
 * With a writer thread, a batch of fewer transactions than this is applied on the calling thread all the same: handing
 * it over costs two thread wake-ups (about half a millisecond here), more than the work it would take off the hub's
 * thread. Batches are small when the hub is quiet — one shopper's sale is one — and grow when it is busy, which is
 * when the work belongs on the other core.
 */
export const WRITER_THREAD_MIN_BATCH = 8;

export interface LedgerWriteRoutingOptions {
  /** The smallest batch handed to the thread (WRITER_THREAD_MIN_BATCH unless a test says otherwise). */
  minBatch: number;
  /** The hub connection's cached kiosk sequences are stale: the thread wrote since this connection last did. */
  forgetCachesHere: () => void;
}

export class LedgerWriteRouting {
  /** Every write, here or there, after the one before (one writer at a time, in call order). */
  private writes: Promise<unknown> = Promise.resolve();
  /** Which connection wrote last: the other one's caches of kiosk sequences are stale after a turn. */
  private lastWriter: 'here' | 'thread' = 'here';

  constructor(
    private readonly thread: LedgerWriterThread,
    private readonly options: LedgerWriteRoutingOptions,
  ) {}

  /**
   * One write of `size` transactions: on the thread when it runs and the batch is large enough (`fresh`: the hub's
   * connection wrote since the thread last did), else here; in turn with every write asked before.
   */
  write(size: number, onThread: (thread: LedgerWriterThread, fresh: boolean) => Promise<TxResult[]>, here: () => TxResult[]): Promise<TxResult[]> {
    const thread = this.thread;
    if (this.forThread(size)) return this.inTurn(() => onThread(thread, this.takeTurn('thread')));
    return this.inTurn(() => {
      if (this.takeTurn('here')) this.options.forgetCachesHere();
      return here();
    });
  }

  /** A batch this large goes to the thread if it runs; else it starts one and the batch is applied here. */
  private forThread(size: number): boolean {
    if (size < this.options.minBatch) return false;
    if (this.thread.isRunning()) return true;
    this.thread.warmUp();
    return false;
  }

  /** Runs `write` once every write asked for before it has settled (a failed one too). */
  private inTurn<T>(write: () => T | Promise<T>): Promise<T> {
    const turn = this.writes.then(write, write);
    this.writes = turn.catch(() => undefined);
    return turn;
  }

  /** Records who writes next; true when the other connection wrote last (what this one cached may be stale). */
  private takeTurn(writer: 'here' | 'thread'): boolean {
    const changed = this.lastWriter !== writer;
    this.lastWriter = writer;
    return changed;
  }
}
