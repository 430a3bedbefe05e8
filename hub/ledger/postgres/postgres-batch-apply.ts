/**
 * The PostgreSQL ledger's write path (moved out of postgres-ledger-store.ts): a kiosk batch and HQ's transactions,
 * each batch in one database transaction with its locks taken first, every rule applyReceived's
 * (../apply-received.ts) run synchronously over the port (sync-reads.ts). A batch whose write fails for a reason
 * other than a conflict is rolled back and replayed one item per savepoint, so only the failing transaction is
 * recorded (as INTERNAL), as on SQLite. The store gives it the claims pool, its transactions and its bundles.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { ULID_PATTERN } from '../../../core/ids/ulid.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { applyReceived, recordDefect } from '../apply-received.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import type { HqApplyOptions, HqTransactionBody, ReceivedTransaction } from '../ledger-store.ts';
import { claimDevices } from './device-claims.ts';
import { prefetchBatch } from './postgres-batch-prefetch.ts';
import { errorCode, SERIALIZATION_CODES, type IsolationMode, type Work } from './postgres-ledger-transactions.ts';
import type { PostgresWritePort } from './postgres-write-port.ts';
import { deviceBusy, itemCard, itemSlot, itemTxId, withoutBusy } from './received-item-claims.ts';
import { lockSequences, lockSequencesStatement } from './sequence-locks.ts';
import { ReadMiss, runSynchronously } from './sync-reads.ts';
import { hqItem, storedHqResult } from '../hq-items.ts';


/** What the write path needs from the store. */
export interface BatchApplyDeps {
  /** The pool the kiosk and card claims wait on (device-claims.ts). */
  claims: () => pg.Pool;
  inTransaction: <T>(work: (work: Work) => Promise<T>, mode: IsolationMode) => Promise<T>;
  /** The newest rules bundle, whose version an HQ transaction names. */
  latestBundle: () => RulesBundle | null;
  faults: LedgerFaults;
  log: Logger;
}

export class PostgresBatchApply {
  constructor(private readonly deps: BatchApplyDeps) {}

  async applyBatch(batch: ReceivedTransaction[]): Promise<TxResult[]> {
    if (batch.length === 0) return [];
    // The batch's kiosks and cards claimed first (device-claims.ts): a batch sharing most of its kiosks with another
    // writer's waits for them before it reads anything; one still held after the wait is answered TX_DEVICE_BUSY.
    // The items of a kiosk or a card left to another writer are answered TX_DEVICE_BUSY now (the ingest holds them
    // back and applies them again in moments), and so is every later item of a busy card's kiosk epoch: they cannot
    // go before it.
    const claims = await claimDevices(this.deps.claims(), batch.map(itemSlot).flatMap((slot) => (slot ? [slot.deviceId] : [])), batch.flatMap(itemCard));
    try {
      const mine = claims.granted ? withoutBusy(batch, claims.busyDevices, claims.busyCards) : batch.filter((item) => itemSlot(item) === null);
      const applied =
        mine.length === 0
          ? []
          : await this.applyThenReplay(
              mine.length,
              (work) => this.applyItems(work, mine, false),
              (work) => this.applyItems(work, mine, true),
              'locking',
            );
      if (mine.length === batch.length) return applied;
      const byItem = new Map(mine.map((item, index) => [item, applied[index]!] as const));
      return batch.map((item) => byItem.get(item) ?? deviceBusy(item));
    } finally {
      await claims.release();
    }
  }

  async applyHqBatch(bodies: HqTransactionBody[], options: HqApplyOptions = {}): Promise<TxResult[]> {
    if (bodies.length === 0) return [];
    const { id } = options;
    if (id !== undefined && bodies.length !== 1) throw new Error('a caller-given HQ transaction id names one transaction, not a batch');
    if (id !== undefined && !ULID_PATTERN.test(id)) throw new CodedError('TX_INVALID', 'an HQ transaction id is a ULID');
    return this.applyThenReplay(
      bodies.length,
      (work) => this.applyHqItems(work, bodies, options.createdAt, id, false),
      (work) => this.applyHqItems(work, bodies, options.createdAt, id, true),
      'locking',
    );
  }

  /**
   * The batch in one database transaction; if a write fails (other than a conflict, which retries the whole
   * batch), it is rolled back and replayed in one more, each item in a savepoint, so only the failing item is
   * recorded (as INTERNAL). Throws when that fails too: then nothing of the batch was applied.
   */
  private async applyThenReplay(size: number, apply: (work: Work) => Promise<TxResult[]>, replay: (work: Work) => Promise<TxResult[]>, mode: IsolationMode): Promise<TxResult[]> {
    try {
      return await this.deps.inTransaction(apply, mode);
    } catch (error) {
      this.deps.log.error({ err: error, size }, 'batch rolled back; applying its transactions one at a time');
      return this.deps.inTransaction(replay, mode);
    }
  }

  private readonly onError = (error: unknown, txId: string): void => {
    // A read miss inside the planner is not a defect: the run is discarded and made again (sync-reads.ts).
    if (error instanceof ReadMiss) return;
    this.deps.log.error({ err: error, txId }, 'defect while applying a transaction; recorded as INTERNAL');
  };

  /** One synchronous step of the write path, run to completion over the batch's transaction (sync-reads.ts). */
  private step<T>(work: Work, run: () => T): Promise<T> {
    return runSynchronously(work.client, work.reads, work.port, run);
  }

  private async applyItems(work: Work, batch: ReceivedTransaction[], replay: boolean): Promise<TxResult[]> {
    // The locks first, then the bulk reads, in one round trip.
    await prefetchBatch(work.client, work.reads, batch, lockSequencesStatement(batch.map(itemSlot).filter((slot) => slot !== null)));
    // One unit: the items' writes go in one round trip (a failing one fails the batch, which the replay then splits).
    if (!replay) work.port.holdWrites();
    const results: TxResult[] = [];
    for (const item of batch) results.push(replay ? await this.replayOne(work, item) : await this.step(work, () => applyReceived(work.port, item, this.onError)));
    await work.port.sendHeld(work.client);
    return results;
  }

  /** One item of a replay, in its savepoint: applied, or — its write failing — recorded as INTERNAL instead. */
  private async replayOne(work: Work, item: ReceivedTransaction): Promise<TxResult> {
    await work.client.query('SAVEPOINT replay_item');
    try {
      const result = await this.step(work, () => applyReceived(work.port, item, this.onError));
      await work.client.query('RELEASE SAVEPOINT replay_item');
      return result;
    } catch (error) {
      await work.client.query('ROLLBACK TO SAVEPOINT replay_item');
      // A serialisation failure retries the whole transaction. A unique violation is taken for this item's defect:
      // should it be a race after all, recording the defect collides too, and that retries the whole transaction.
      if (SERIALIZATION_CODES.has(errorCode(error) ?? '')) throw error;
      // Rows read in the savepoint may be gone with it: read afresh.
      work.reads.clear();
      this.deps.log.error({ err: error }, 'transaction could not be written; recording it as INTERNAL');
      const txId = itemTxId(item);
      if (txId !== null && this.deps.faults.failDefectRecord?.(txId)) throw new Error(`injected fault: recording ${txId} as INTERNAL fails`);
      const recorded = await this.step(work, () => recordDefect(work.port, item));
      if (!recorded) throw error;
      return recorded;
    }
  }

  /** HQ's transactions, inside the caller's database transaction (also the member import's, postgres-member-import.ts). */
  async applyHqItems(work: Work, bodies: HqTransactionBody[], createdAt: string | undefined, id: string | undefined, replay: boolean): Promise<TxResult[]> {
    // HQ's seq is read and taken inside this transaction, its row locked: two HQ writers (the console, a sweep,
    // another worker) queue here, and should both still pick one seq, the slot's unique key sends one back to retry.
    await lockSequences(work.client, [{ deviceId: HQ_DEVICE_ID, epoch: '' }]);
    if (id !== undefined) {
      const stored = await this.step(work, () => storedHqResult(work.port, id));
      if (stored) return [stored];
    }
    const results: TxResult[] = [];
    for (const body of bodies) {
      const item = await this.step(work, () => this.hqItem(work.port, body, createdAt, id));
      results.push(replay ? await this.replayOne(work, item) : await this.step(work, () => applyReceived(work.port, item, this.onError)));
    }
    return results;
  }

  private hqItem(port: PostgresWritePort, body: HqTransactionBody, createdAt: string | undefined, id: string | undefined): ReceivedTransaction {
    return hqItem(body, { id, seq: port.sequence(HQ_DEVICE_ID, '').lastSeq + 1, createdAt: createdAt ?? port.appliedAt, bundleVersion: this.deps.latestBundle()?.version ?? 0 });
  }
}

