/**
 * The database transactions an open SQLite ledger runs, made once per connection (better-sqlite3 wraps each
 * function in BEGIN…COMMIT): a batch of kiosk transactions, HQ's transactions with their seq taken inside, and the
 * replay of either — each item in a savepoint of one more database transaction, so a failing write is recorded as
 * INTERNAL instead of losing the batch. Which of them runs when is the store's business (sqlite-ledger-store.ts).
 */
import type { Database as DatabaseHandle } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { TxResult } from '../../../core/wire/result.ts';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import { applyReceived, recordDefect } from '../apply-received.ts';
import { hqItem as makeHqItem, storedHqResult } from '../hq-items.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import type { HqTransactionBody, ReceivedTransaction } from '../ledger-store.ts';
import type { SqliteWritePort } from './sqlite-write-port.ts';
import { writeTransaction } from './write-transaction.ts';

export interface LedgerDbTransactions {
  applyBatch(batch: ReceivedTransaction[]): TxResult[];
  /** The batch again, each item in a savepoint of one database transaction: a failing write is recorded as INTERNAL. */
  replayBatch(batch: ReceivedTransaction[]): TxResult[];
  /** `id`: the one transaction's caller-given id (HqApplyOptions.id); one already stored is answered as `exists`. */
  applyHq(bodies: HqTransactionBody[], createdAt: string | undefined, id?: string): TxResult[];
  replayHq(bodies: HqTransactionBody[], createdAt: string | undefined, id?: string): TxResult[];
}

export interface LedgerDbTransactionsContext {
  log: Logger;
  faults: LedgerFaults;
  /** The version of the newest stored rules bundle (0: none), which HQ's transactions are dated with. */
  latestBundleVersion: () => number;
}

export function prepareLedgerTransactions(db: DatabaseHandle, port: SqliteWritePort, context: LedgerDbTransactionsContext): LedgerDbTransactions {
  const { log, faults } = context;
  const onError = (error: unknown, txId: string) => log.error({ err: error, txId }, 'defect while applying a transaction; recorded as INTERNAL');
  const applyOne = (item: ReceivedTransaction) => applyReceived(port, item, onError);
  // Called inside an open database transaction, it runs in a savepoint: a failure undoes this item only.
  const applyOneInSavepoint = db.transaction(applyOne);
  /** One item of a replay: applied in its savepoint, or — its write failing — recorded as INTERNAL instead. */
  const replayOne = (item: ReceivedTransaction): TxResult => {
    const mark = port.rollbackMark();
    try {
      return applyOneInSavepoint(item);
    } catch (error) {
      port.afterRollback(mark);
      // An error SQLite answers by rolling back the whole transaction (disk full, I/O): nothing more can be written in it.
      if (!db.inTransaction) throw error;
      log.error({ err: error }, 'transaction could not be written; recording it as INTERNAL');
      const txId = itemTxId(item);
      if (txId !== null && faults.failDefectRecord?.(txId)) throw new Error(`injected fault: recording ${txId} as INTERNAL fails`);
      const recorded = recordDefect(port, item);
      if (!recorded) throw error;
      return recorded;
    }
  };
  // HQ's seq is taken inside the same database transaction that applies it, so HQ writers (the console,
  // the expiry sweep, tier reviews, flows, another hub process) can never take the same seq twice.
  const hqItem = (body: HqTransactionBody, createdAt: string | undefined, id: string | undefined): ReceivedTransaction =>
    makeHqItem(body, {
      id,
      // Read from the database, not the port's cache: another writer on this file may have taken seqs since.
      seq: port.sequence(HQ_DEVICE_ID, '', { fresh: true }).lastSeq + 1,
      createdAt: createdAt ?? port.appliedAt,
      bundleVersion: context.latestBundleVersion(),
    });
  const begin = () => port.beginBatch();
  /** The batch's results, once its last writes (the reports' totals) are made: the database transaction then commits. */
  const end = <T>(results: T): T => {
    port.endBatch();
    return results;
  };
  // IMMEDIATE (write-transaction.ts): another connection may write this file (the hub's thread, beside a writer thread).
  const applyBatch = writeTransaction(db, (batch: ReceivedTransaction[]) => {
    begin();
    return end(batch.map(applyOne));
  });
  const replayBatch = writeTransaction(db, (batch: ReceivedTransaction[]) => {
    begin();
    return end(batch.map(replayOne));
  });
  // A caller-given id already stored is answered from the stored result before any seq is read, inside the same
  // database transaction, so two writers with one id (a flow re-run, another hub process) apply it once.
  const storedHq = (id: string | undefined): TxResult | null => (id === undefined ? null : storedHqResult(port, id));
  const applyHq = db.transaction((bodies: HqTransactionBody[], createdAt: string | undefined, id?: string) => {
    begin();
    const stored = storedHq(id);
    if (stored) return end([stored]);
    return end(bodies.map((body) => applyOne(hqItem(body, createdAt, id))));
  });
  const replayHq = db.transaction((bodies: HqTransactionBody[], createdAt: string | undefined, id?: string) => {
    begin();
    const stored = storedHq(id);
    if (stored) return end([stored]);
    return end(bodies.map((body) => replayOne(hqItem(body, createdAt, id))));
  });
  return {
    applyBatch: (batch) => applyBatch(batch),
    replayBatch: (batch) => replayBatch(batch),
    // IMMEDIATE: the write lock is taken before HQ's seq is read, so two HQ writers queue instead of colliding.
    applyHq: (bodies, createdAt, id) => applyHq.immediate(bodies, createdAt, id),
    replayHq: (bodies, createdAt, id) => replayHq.immediate(bodies, createdAt, id),
  };
}

/** The id a received item names, when it names one that can be recorded. */
function itemTxId(item: ReceivedTransaction): string | null {
  const { parsed } = item;
  if (parsed.ok) return parsed.tx.id;
  return parsed.stage === 'body' ? parsed.header.id : null;
}
