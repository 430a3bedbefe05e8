/**
 * Receives transactions from every device and applies them in batches: whatever arrived in one pass of the
 * event loop is applied in one database transaction (one fsync), then each result is published. A result
 * is never published before its batch is durable.
 *
 * The ledger port is async: batches are applied strictly one after another, in arrival order. While one is
 * being applied, new arrivals queue; they form the next batch once its promise has settled, and that batch is handed
 * to the store before the settled one's results are published (the store may apply it on another thread meanwhile). A rejected batch published nothing and applied nothing: the devices resend.
 *
 * A copy of a transaction the ingest already holds (queued, being applied, or held back) — the same bytes from the
 * same device — is dropped: the one in hand will be answered. A kiosk that hears nothing for 5 s sends its pending
 * entries again, so a hub that fell 5 s behind was sent every sale twice and applied each twice (the second time
 * as `exists`), which put it further behind: a congestion collapse (the fleet benchmark's 5,000 kiosks).
 */
import { performance } from 'node:perf_hooks';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { TxResult } from '../../core/wire/result.ts';
import type { Topics } from '../../core/wire/topics.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import type { LedgerStore, ReceivedTransaction } from '../ledger/ledger-store.ts';
import { resultMessages } from './result-messages.ts';

/**
 * Told of each batch (the hub's metrics, hub/metrics/). Called on the ingest path, so it must be quick; what it
 * throws is logged and ignored.
 */
export interface IngestObserver {
  /** A batch committed and its results published; `applyMs`: the database's time to apply and commit it. */
  batchApplied(batch: readonly ReceivedTransaction[], results: readonly TxResult[], applyMs: number): void;
  /** A batch the database refused whole: nothing applied, no result sent (the devices resend). */
  batchFailed(size: number): void;
  /** A copy of a transaction in hand was dropped. */
  duplicateDropped?(): void;
}

export interface TxIngestOptions {
  client: MqttClient;
  store: Pick<LedgerStore, 'applyBatch'>;
  topics: Topics;
  logger: Logger;
  /** Largest batch per database transaction; a flood is applied as several batches. */
  maxBatch?: number;
  /**
   * Told of each applied batch's results after they were published (the hub's flows' ledger events). It must not
   * hold up or break the ingest: what it throws, or rejects with, is logged and ignored.
   */
  onResults?: (batch: readonly ReceivedTransaction[], results: readonly TxResult[]) => void | Promise<void>;
  observer?: IngestObserver;
  /**
   * Asked for each result before it is published: true takes it (not published now; the taker requeues the item).
   * Hub workers hold back ordering gaps this way (held-back-retry.ts).
   */
  holdBack?: { offer(item: ReceivedTransaction, result: TxResult): boolean };
}

export class TxIngest {
  private readonly queue: ReceivedTransaction[] = [];
  private flushScheduled = false;
  /** The flush under way (batches being applied one after another), if any. */
  private flushing: Promise<void> | null = null;
  private readonly log: Logger;
  private readonly maxBatch: number;
  applied = 0;
  /** Copies dropped because the same transaction was in hand. */
  duplicatesDropped = 0;
  /** The transactions in hand (queued, in the batch under way, or held back), by device and id, with their bytes. */
  private readonly inHand = new Map<string, Buffer>();

  constructor(private readonly options: TxIngestOptions) {
    this.log = options.logger.child({ component: 'hub.ingest' });
    this.maxBatch = options.maxBatch ?? 500;
  }

  receive(topicDeviceId: string, payload: Buffer): void {
    const parsed = parseLedgerTransaction(payload);
    const key = parsed.ok ? handKey(topicDeviceId, parsed.tx.id) : null;
    if (key !== null) {
      if (this.inHand.get(key)?.equals(payload)) {
        this.duplicatesDropped += 1;
        this.observe((observer) => observer.duplicateDropped?.());
        return;
      }
      this.inHand.set(key, payload);
    }
    this.queue.push({ topicDeviceId, parsed, receivedAt: new Date().toISOString() });
    this.schedule();
  }

  /** Applies a held-back item again with the next batch (its receive time kept). */
  requeue(item: ReceivedTransaction): void {
    this.queue.push(item);
    this.schedule();
  }

  /** A flush in the next event-loop pass, unless one is due or under way (it takes whatever arrives meanwhile). */
  private schedule(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        // Arrivals behind a failed batch (or in the moment the flush was ending) are not left waiting.
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  /** Resolves once no batch is being applied (for a clean stop before the ledger closes). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Never rejects: a failed batch is logged and dropped (its devices resend). Once a batch is durable, the next one
   * is handed to the store before the first one's results are published: the store may apply it elsewhere (the
   * SQLite ledger's writer thread) while this thread publishes — still one batch applied at a time, in order.
   */
  private async flush(): Promise<void> {
    let applying: Promise<Applied> | null = this.applyNext();
    while (applying) {
      const applied = await applying;
      if (!applied.ok) {
        // The database refused the whole batch (disk full, locked): nothing was applied and no result is sent,
        // so every device keeps its entries pending and sends them again.
        this.log.error({ err: applied.error, size: applied.batch.length }, 'batch not applied; devices will resend');
        this.observe((observer) => observer.batchFailed(applied.batch.length));
        for (const item of applied.batch) this.letGo(item);
        return;
      }
      applying = this.applyNext();
      const { batch, results, applyMs } = applied;
      this.publish(batch, results);
      this.observe((observer) => observer.batchApplied(batch, results, applyMs));
      this.tellListener(batch, results);
    }
  }

  /** The next batch handed to the store (null: nothing is queued); settles with its results or its failure. */
  private applyNext(): Promise<Applied> | null {
    if (this.queue.length === 0) return null;
    const batch = this.queue.splice(0, this.maxBatch);
    const started = performance.now();
    return this.options.store.applyBatch(batch).then(
      (results): Applied => ({ ok: true, batch, results, applyMs: performance.now() - started }),
      (error: unknown): Applied => ({ ok: false, batch, error }),
    );
  }

  private observe(tell: (observer: IngestObserver) => void): void {
    if (!this.options.observer) return;
    try {
      tell(this.options.observer);
    } catch (error) {
      this.log.error({ err: error }, 'the ingest observer failed; the ingest goes on');
    }
  }

  private tellListener(batch: ReceivedTransaction[], results: TxResult[]): void {
    const listener = this.options.onResults;
    if (!listener) return;
    const failed = (error: unknown) => this.log.error({ err: error, size: batch.length }, 'a results listener failed; the ingest goes on');
    try {
      const told = listener(batch, results);
      if (told instanceof Promise) told.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  /** One message per device per commit, results in the device's order: a busy hub sends a kiosk one message for a whole batch. */
  private publish(batch: ReceivedTransaction[], results: TxResult[]): void {
    const byDevice = new Map<string, TxResult[]>();
    results.forEach((result, index) => {
      const item = batch[index]!;
      if (this.options.holdBack?.offer(item, result)) return;
      this.letGo(item);
      if (result.status === 'rejected') this.log.warn({ deviceId: item.topicDeviceId, txId: result.id, code: result.code, recorded: result.recorded }, 'transaction rejected');
      else this.applied += 1;
      const list = byDevice.get(item.topicDeviceId);
      if (list) list.push(result);
      else byDevice.set(item.topicDeviceId, [result]);
    });
    for (const [deviceId, deviceResults] of byDevice) {
      for (const message of resultMessages(deviceResults)) this.options.client.publish(this.options.topics.txResult(deviceId), message, { qos: 1 });
    }
  }

  /** The item is answered (or dropped with its batch): a copy of it is news again. */
  private letGo(item: ReceivedTransaction): void {
    if (item.parsed.ok) this.inHand.delete(handKey(item.topicDeviceId, item.parsed.tx.id));
  }
}

type Applied = { ok: true; batch: ReceivedTransaction[]; results: TxResult[]; applyMs: number } | { ok: false; batch: ReceivedTransaction[]; error: unknown };

function handKey(deviceId: string, txId: string): string {
  return `${deviceId}\u0000${txId}`;
}
