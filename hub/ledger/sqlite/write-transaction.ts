/**
 * A database transaction that writes, begun IMMEDIATE: it takes the ledger file's write lock before its first read.
 * The ledger file has two writers in the hub — this thread's connection and the writer thread's
 * (ledger-writer-thread.ts) — and a DEFERRED transaction that read first and writes second fails with SQLITE_BUSY at
 * once when the other connection committed in between (its snapshot is stale; no busy wait can help). Begun
 * IMMEDIATE it waits its turn (busy_timeout) and reads what the other committed. Nested inside another transaction it
 * is a savepoint, as any better-sqlite3 transaction is.
 */
import type { Database } from 'better-sqlite3';

// better-sqlite3's own bound: a transaction's function takes any arguments and may return anything.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function writeTransaction<F extends (...args: any[]) => unknown>(db: Database, fn: F): (...args: Parameters<F>) => ReturnType<F> {
  const transaction = db.transaction(fn);
  const immediate = (...args: Parameters<F>): ReturnType<F> => (transaction.immediate as unknown as (...a: Parameters<F>) => ReturnType<F>)(...args);
  return immediate;
}
