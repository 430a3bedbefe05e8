/**
 * Receives transactions from every device and applies them in batches: whatever arrived in one pass of the
 * event loop is applied in one database transaction (one fsync), then each result is published. A result
 * is never published before its batch is durable.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { parseTransaction } from '../../core/wire/parse-transaction.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { Topics } from '../../core/wire/topics.ts';
import type { LedgerStore, ReceivedTransaction } from '../ledger/ledger-store.ts';
import { resultMessages } from './result-messages.ts';

export interface TxIngestOptions {
  client: MqttClient;
  store: LedgerStore;
  topics: Topics;
  logger: Logger;
  /** Largest batch per database transaction; a flood is applied as several batches. */
  maxBatch?: number;
}

export class TxIngest {
  private readonly queue: ReceivedTransaction[] = [];
  private flushScheduled = false;
  private readonly log: Logger;
  private readonly maxBatch: number;
  applied = 0;

  constructor(private readonly options: TxIngestOptions) {
    this.log = options.logger.child({ component: 'hub.ingest' });
    this.maxBatch = options.maxBatch ?? 500;
  }

  receive(topicDeviceId: string, payload: Buffer): void {
    this.queue.push({ topicDeviceId, parsed: parseTransaction(payload), receivedAt: new Date().toISOString() });
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      let results;
      try {
        results = this.options.store.applyBatch(batch);
      } catch (error) {
        // The database refused the whole batch (disk full, locked): nothing was applied and no result is sent,
        // so every device keeps its entries pending and sends them again.
        this.log.error({ err: error, size: batch.length }, 'batch not applied; devices will resend');
        return;
      }
      // One message per device per commit, results in the device's order: a busy hub sends a kiosk one
      // message for a whole batch instead of one each (and a lone result goes bare).
      const byDevice = new Map<string, TxResult[]>();
      results.forEach((result, index) => {
        const item = batch[index]!;
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
  }
}
