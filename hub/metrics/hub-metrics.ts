/**
 * One hub's metrics in Prometheus' text format (docs/OPERATIONS.md, "Metrics and health", says what each means).
 *
 * Every hub has a registry of its own, never prom-client's global one: tests and benchmarks run several hubs in
 * one process, and each must count only what it did. Every series carries `hubId`, so the workers of one chain
 * scraped into one Prometheus are told apart.
 *
 * Counters and histograms are moved by the ingest's and the look-ups' observers (hub/ingest/), the message
 * service's outcomes and the MQTT client's reconnects; gauges are read when scraped (the device registry, the
 * ledger, Node-RED, the broker connection), and Node's own (resident memory, event-loop lag, GC) are prom-client's
 * default metrics on this registry. Nothing here may break what it watches: a source that fails while scraped is
 * logged and counted (memberkiosk_scrape_errors_total) and its gauge left out of that scrape.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LookupAnswer } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { FlowRuntimeStatus } from '../../flows/runtime/flow-runtime.ts';
import type { IngestObserver } from '../ingest/tx-ingest.ts';
import type { LookupObserver } from '../ingest/lookup-responder.ts';
import type { ReceivedTransaction } from '../ledger/ledger-store.ts';
import { nodeRedStateValue } from './node-red-state-value.ts';

/** What the gauges read when scraped; each may fail (a closed ledger) without failing the scrape. */
export interface ScrapeSources {
  /** The device registry's records (online: null until the kiosk's availability was heard). */
  devices(): Promise<readonly { online: boolean | null }[]>;
  transactionCount(): Promise<number>;
  /** The hub's Node-RED supervisor's status; null when Node-RED is off. */
  nodeRed(): FlowRuntimeStatus | null;
  brokerConnected(): boolean;
  /** Worker mode only (hub/workers/): whether this worker holds the leader lock now. */
  leader?: () => boolean;
}

export interface HubMetricsOptions {
  hubId: string;
  sources: ScrapeSources;
  logger: Logger;
  /**
   * How old the ledger's transaction count may be when scraped (default 60 s): counting a table of millions of rows
   * on SQLite takes a while on the thread that applies the kiosks' batches, so it is not done at every scrape.
   */
  ledgerCountMaxAgeMs?: number;
}

/** How each transaction was answered: the result's status, a refusal split by whether it was recorded. */
export type TxResultClass = 'applied' | 'exists' | 'rejected_recorded' | 'rejected_unrecorded';

export function txResultClass(result: Pick<TxResult, 'status' | 'recorded'>): TxResultClass {
  if (result.status === 'applied' || result.status === 'exists') return result.status;
  return result.recorded === true ? 'rejected_recorded' : 'rejected_unrecorded';
}

/** A look-up's outcome: answered, refused with a code the kiosk shows, or failed at the hub (INTERNAL). */
function lookupOutcome(answer: Pick<LookupAnswer, 'ok'> & { code?: string }): 'ok' | 'refused' | 'failed' {
  if (answer.ok) return 'ok';
  return answer.code === 'INTERNAL' ? 'failed' : 'refused';
}

export class HubMetrics implements IngestObserver, LookupObserver {
  readonly registry = new Registry();
  private readonly log: Logger;
  private readonly txResults: Counter<'result' | 'code'>;
  private readonly batchesApplied: Counter;
  private readonly batchesFailed: Counter;
  private readonly duplicatesDropped: Counter;
  private readonly batchSize: Histogram;
  private readonly batchApplySeconds: Histogram;
  private readonly receiveToResultSeconds: Histogram;
  private readonly lookups: Counter<'op' | 'outcome' | 'code'>;
  private readonly lookupSeconds: Histogram<'op'>;
  private readonly reconnects: Counter;
  private readonly messages: Counter<'status' | 'channel'>;
  private readonly scrapeErrors: Counter<'source'>;
  private ledgerCount: { value: number; at: number } | null = null;
  /** The gauges' reads under way in this scrape (each settles, never rejects). */
  private readonly reads = new Set<Promise<void>>();

  constructor(private readonly options: HubMetricsOptions) {
    this.log = options.logger.child({ component: 'hub.metrics' });
    const registers = [this.registry];
    this.registry.setDefaultLabels({ hubId: options.hubId });
    this.txResults = new Counter({
      name: 'memberkiosk_tx_results_total',
      help: 'Kiosk transactions answered, by result (applied, exists, rejected_recorded, rejected_unrecorded) and refusal code.',
      labelNames: ['result', 'code'],
      registers,
    });
    // Present from the first scrape, so rate() and increase() see the first transactions too.
    for (const result of ['applied', 'exists'] as const) this.txResults.inc({ result }, 0);
    this.batchesApplied = new Counter({ name: 'memberkiosk_ingest_batches_applied_total', help: 'Batches of kiosk transactions committed in one database transaction.', registers });
    this.batchesFailed = new Counter({ name: 'memberkiosk_ingest_batches_failed_total', help: 'Batches the database refused whole (nothing applied, no result sent; the kiosks resend).', registers });
    this.duplicatesDropped = new Counter({ name: 'memberkiosk_ingest_duplicates_dropped_total', help: 'Copies of a transaction the ingest already held (a kiosk resending while the hub was behind), dropped.', registers });
    this.batchSize = new Histogram({ name: 'memberkiosk_ingest_batch_size', help: 'Transactions per applied batch.', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500], registers });
    this.batchApplySeconds = new Histogram({
      name: 'memberkiosk_ingest_batch_apply_seconds',
      help: "The database's time to apply and commit one batch.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.receiveToResultSeconds = new Histogram({
      name: 'memberkiosk_tx_receive_to_result_seconds',
      help: 'Per transaction, from the hub receiving it to its result being published (queueing, the batch, publishing).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.lookups = new Counter({
      name: 'memberkiosk_lookups_total',
      help: "Kiosk look-ups answered, by op (unreadable: no op could be read), outcome (ok, refused, failed) and the refusal's code.",
      labelNames: ['op', 'outcome', 'code'],
      registers,
    });
    this.lookupSeconds = new Histogram({
      name: 'memberkiosk_lookup_seconds',
      help: 'From a look-up arriving to its answer being published, by op.',
      labelNames: ['op'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.reconnects = new Counter({ name: 'memberkiosk_mqtt_reconnects_total', help: "Times the hub's MQTT client connected to its broker again after losing it.", registers });
    this.messages = new Counter({
      name: 'memberkiosk_messages_total',
      help: "Messages the hub's flows asked to send, by what became of them (sent, failed, already-sent, skipped-no-consent, skipped-no-contact, refused) and channel (sms, webhook).",
      labelNames: ['status', 'channel'],
      registers,
    });

    const sources = options.sources;
    // One read of the registry per scrape for both gauges: the first collect starts it, the second shares it.
    let devicesRead: Promise<readonly { online: boolean | null }[]> | null = null;
    const readDevices = () => (devicesRead ??= sources.devices().finally(() => (devicesRead = null)));
    const kiosksKnown: Gauge = new Gauge({
      name: 'memberkiosk_kiosks_known',
      help: 'Kiosks in the device registry (every device id that ever reported).',
      registers,
      collect: this.safely('devices', async () => kiosksKnown.set((await readDevices()).length)),
    });
    const kiosksOnline: Gauge = new Gauge({
      name: 'memberkiosk_kiosks_online',
      help: 'Kiosks whose last availability (retained on the broker) says online.',
      registers,
      // A failed read is counted once, by the known gauge's collect.
      collect: async () => {
        const devices = await readDevices().catch(() => null);
        if (devices) kiosksOnline.set(devices.filter((d) => d.online === true).length);
      },
    });
    const ledgerTransactions: Gauge = new Gauge({
      name: 'memberkiosk_ledger_transactions',
      help: 'Transactions in the ledger (every kiosk and HQ transaction, applied or recorded refused); read at most once a minute.',
      registers,
      collect: this.safely('ledger', async () => ledgerTransactions.set(await this.ledgerTransactionCount())),
    });
    const nodeRedState: Gauge = new Gauge({
      name: 'memberkiosk_node_red_state',
      help: "The hub's Node-RED: 0 off, 1 running, 2 starting or restarting, 3 safe mode (flows stopped after repeated kills or crashes).",
      registers,
      collect: this.safely('node_red', () => nodeRedState.set(nodeRedStateValue(sources.nodeRed()?.state ?? 'off'))),
    });
    // The supervisor's own counts since the hub's Node-RED started; a new hub starts again from 0, as counters do after a restart.
    const nodeRedKills: Counter = new Counter({
      name: 'memberkiosk_node_red_kills_total',
      help: "Node-RED children killed for missing the heartbeat (a flow in a tight loop) since the hub's Node-RED started.",
      registers,
      collect: this.safely('node_red', () => setCounter(nodeRedKills, sources.nodeRed()?.kills ?? 0)),
    });
    const nodeRedStarts: Counter = new Counter({
      name: 'memberkiosk_node_red_starts_total',
      help: "Node-RED children started (the first and every restart) since the hub's Node-RED started.",
      registers,
      collect: this.safely('node_red', () => setCounter(nodeRedStarts, sources.nodeRed()?.starts ?? 0)),
    });
    const brokerConnected: Gauge = new Gauge({
      name: 'memberkiosk_broker_connected',
      help: "1 while the hub's MQTT client is connected to its broker, else 0.",
      registers,
      collect: this.safely('broker', () => brokerConnected.set(sources.brokerConnected() ? 1 : 0)),
    });
    const leader = sources.leader;
    if (leader) {
      const leaderGauge: Gauge = new Gauge({
        name: 'memberkiosk_hub_leader',
        help: 'Hub workers only: 1 while this worker is the elected leader (scheduled jobs, device registry, presence, Node-RED), else 0.',
        registers,
        collect: this.safely('leader', () => leaderGauge.set(leader() ? 1 : 0)),
      });
    }
    // Registered after the gauges, so a scrape starts their reads first; it waits for them, so a read that failed is
    // counted in the same scrape.
    this.scrapeErrors = new Counter({
      name: 'memberkiosk_scrape_errors_total',
      help: 'Gauges that could not be read while scraped, by source; they keep their last good value.',
      labelNames: ['source'],
      registers,
      collect: async () => {
        await Promise.all(this.reads);
      },
    });
    // Resident memory, heap, event-loop lag, GC, open handles: prom-client's, on this hub's registry.
    collectDefaultMetrics({ register: this.registry });
  }

  /** The whole exposition, as GET /metrics answers it. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  batchApplied(batch: readonly ReceivedTransaction[], results: readonly TxResult[], applyMs: number): void {
    this.batchesApplied.inc();
    this.batchSize.observe(batch.length);
    this.batchApplySeconds.observe(applyMs / 1000);
    const now = Date.now();
    results.forEach((result, index) => {
      const resultClass = txResultClass(result);
      this.txResults.inc(result.status === 'rejected' ? { result: resultClass, code: result.code ?? 'UNKNOWN' } : { result: resultClass });
      const receivedAt = Date.parse(batch[index]?.receivedAt ?? '');
      if (Number.isFinite(receivedAt)) this.receiveToResultSeconds.observe(Math.max(0, now - receivedAt) / 1000);
    });
  }

  duplicateDropped(): void {
    this.duplicatesDropped.inc();
  }

  batchFailed(): void {
    this.batchesFailed.inc();
  }

  lookupAnswered(op: string, answer: Pick<LookupAnswer, 'ok'> & { code?: string }, ms: number): void {
    const outcome = lookupOutcome(answer);
    this.lookups.inc(outcome === 'ok' ? { op, outcome } : { op, outcome, code: answer.code ?? 'UNKNOWN' });
    this.lookupSeconds.observe({ op }, ms / 1000);
  }

  mqttReconnected(): void {
    this.reconnects.inc();
  }

  messageOutcome(status: string, channel: string): void {
    this.messages.inc({ status, channel });
  }

  private async ledgerTransactionCount(): Promise<number> {
    const maxAge = this.options.ledgerCountMaxAgeMs ?? 60_000;
    const now = performance.now();
    if (this.ledgerCount && now - this.ledgerCount.at < maxAge) return this.ledgerCount.value;
    const value = await this.options.sources.transactionCount();
    this.ledgerCount = { value, at: now };
    return value;
  }

  /**
   * A gauge's read that cannot fail the scrape: prom-client answers no text at all when one collect throws. A failed
   * read is logged and counted, and the gauge keeps the value of its last good read.
   */
  private safely(source: string, read: () => void | Promise<void>): () => Promise<void> {
    return async () => {
      const reading = (async () => {
        try {
          await read();
        } catch (error) {
          this.scrapeErrors.inc({ source });
          this.log.warn({ err: error, source }, 'a metric could not be read; it keeps its last value');
        }
      })();
      this.reads.add(reading);
      await reading;
      this.reads.delete(reading);
    };
  }
}

/** A counter whose total another part keeps (the supervisor's), set to that total at each scrape. */
function setCounter(counter: Counter, total: number): void {
  counter.reset();
  if (total > 0) counter.inc(total);
}
