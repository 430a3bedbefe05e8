/**
 * The ledger's writes on a thread of their own. better-sqlite3 is synchronous: on the hub's thread a batch's
 * planning, its writes, its fsync and now and then a WAL checkpoint held up everything else the hub does — the
 * embedded broker's traffic for every kiosk, the look-ups, the console — for as long as they took. On this thread
 * (ledger-writer-worker.ts, its own connection to the same file) they run beside all that, on the second core.
 *
 * Nothing about the order or the durability changes: requests are applied one at a time in the order sent (the
 * ingest's order), each in one database transaction committed with synchronous=FULL, and a promise settles only once
 * its transaction is on disk. The hub's thread still reads and writes the file through its own connection (the
 * console's edits, a member import); both begin their write transactions IMMEDIATE (write-transaction.ts), so the
 * two writers queue on SQLite's lock instead of failing. A thread that stops (it should not) fails what it held —
 * those batches are resent by their kiosks and answered `exists` if they had committed — and the next request starts
 * a new one. No batch waits for a thread to start (loading one takes about half a second from the sources, seconds on
 * a loaded machine — longer than a kiosk waits before it resends): the store starts it when it opens and applies on
 * the hub's thread until it runs (sqlite-ledger-store.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { TxResult } from '../../../core/wire/result.ts';
import { workerEntryUrl } from '../../reports/worker-entry-url.ts';
import type { HqApplyOptions, HqTransactionBody, ReceivedTransaction } from '../ledger-store.ts';
import { factsForBatch, factsForHq, type FleetLookups } from './batch-fleet-facts.ts';
import { errorFromThread, type WriterAnswer, type WriterRequest, type WriterThreadData } from './ledger-writer-protocol.ts';

interface Waiting {
  resolve: (results: TxResult[]) => void;
  reject: (error: Error) => void;
}

type Numbered = Extract<WriterRequest, { id: number }>;

export class LedgerWriterThread {
  private worker: Worker | null = null;
  private ready: Promise<void> = Promise.resolve();
  private nextId = 1;
  private readonly pending = new Map<number, Waiting>();
  private closed = false;
  /** The current thread has opened the ledger and takes requests. */
  private running = false;

  constructor(
    private readonly data: WriterThreadData,
    private readonly lookups: FleetLookups,
    /** The store's logger: the thread's lines are logged again here, in order with the hub's own. */
    private readonly log: Logger,
  ) {}

  /** Whether a thread is up and taking requests now (a batch sent while one starts would wait for it). */
  isRunning(): boolean {
    return this.running && this.worker !== null;
  }

  /** Starts a thread unless one runs or is starting; what needs it meanwhile is applied on the hub's thread. */
  warmUp(): void {
    if (!this.closed) this.thread();
  }

  /** Starts a thread and resolves once it takes requests (tests, which must not race its start). */
  async started(): Promise<void> {
    this.thread();
    await this.ready;
  }

  /** `fresh`: the hub's thread wrote batches since this thread's last one (the thread forgets what it cached). */
  applyBatch(batch: ReceivedTransaction[], fresh: boolean): Promise<TxResult[]> {
    // The fleet's answers are taken now, on the hub's thread, when the batch is handed over.
    const facts = factsForBatch(batch, this.lookups);
    return this.send((id) => ({ type: 'batch', id, batch, facts, fresh }));
  }

  applyHqBatch(bodies: HqTransactionBody[], options: HqApplyOptions, fresh: boolean): Promise<TxResult[]> {
    const facts = factsForHq(bodies, this.lookups);
    return this.send((id) => ({ type: 'hq', id, bodies, options, facts, fresh }));
  }

  /** A rules bundle was saved on the hub's thread: the thread forgets the bundles it had read. */
  rulesChanged(): void {
    this.worker?.postMessage({ type: 'rules-changed' } satisfies WriterRequest);
  }

  /** Lets the thread finish what it was sent, closes its connection and ends it. */
  async close(): Promise<void> {
    if (this.closed) return;
    const worker = this.worker;
    if (worker) {
      try {
        await this.send((id) => ({ type: 'close', id }));
      } catch (error) {
        this.log.warn({ err: error }, 'ledger writer thread did not close cleanly');
      }
    }
    this.closed = true;
    this.worker = null;
    this.failAll(new Error('the ledger is closed'));
    await worker?.terminate();
  }

  private async send(request: (id: number) => Numbered): Promise<TxResult[]> {
    if (this.closed) throw new Error('the ledger is closed');
    const worker = this.thread();
    await this.ready;
    // A thread that failed to start (or stopped) meanwhile takes no more requests; the next call starts another.
    if (this.worker !== worker) throw new Error('the ledger writer thread stopped before the request could be sent');
    const id = this.nextId++;
    return new Promise<TxResult[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(request(id));
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerEntryUrl('ledger-writer-worker', import.meta.url), { workerData: this.data });
    // The hub's own stop closes it; a process that forgot to must still be able to exit.
    worker.unref();
    let started: () => void = () => undefined;
    let failed: (error: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    // Awaited by every request; a start that fails must not also be an unhandled rejection.
    this.ready.catch(() => undefined);
    worker.on('message', (answer: WriterAnswer) => this.answered(worker, answer, started, failed));
    worker.on('error', (error) => {
      failed(error);
      this.ended(worker, error);
    });
    worker.on('exit', (code) => {
      const error = new Error(`the ledger writer thread stopped (exit code ${code})`);
      failed(error);
      this.ended(worker, error);
    });
    this.worker = worker;
    return worker;
  }

  private answered(worker: Worker, answer: WriterAnswer, started: () => void, failed: (error: Error) => void): void {
    switch (answer.type) {
      case 'ready':
        if (this.worker === worker) this.running = true;
        started();
        return;
      case 'start-failed': {
        const error = errorFromThread(answer.error);
        this.log.error({ err: error }, 'the ledger writer thread could not open the ledger');
        failed(error);
        this.ended(worker, error);
        return;
      }
      case 'log':
        this.relay(answer.line);
        return;
      case 'done':
      case 'failed': {
        const waiting = this.pending.get(answer.id);
        if (!waiting) return;
        this.pending.delete(answer.id);
        if (answer.type === 'done') waiting.resolve(answer.results);
        else waiting.reject(errorFromThread(answer.error));
      }
    }
  }

  /** One of the thread's log lines, logged by the hub's logger at its level (the store's component is already bound). */
  private relay(line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.log.warn({ line: line.slice(0, 200) }, 'ledger writer thread wrote a log line that is not JSON');
      return;
    }
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, component: _component, ...fields } = record;
    const label = typeof level === 'number' ? this.log.levels.labels[level] : undefined;
    const write = label === 'fatal' || label === 'error' || label === 'warn' || label === 'info' || label === 'debug' || label === 'trace' ? label : 'info';
    this.log[write](fields, typeof msg === 'string' ? msg : '');
  }

  private ended(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.running = false;
    if (!this.closed) this.log.error({ err: error }, 'the ledger writer thread stopped; what it held is failed (kiosks resend), the next request starts another');
    this.failAll(error);
  }

  private failAll(error: Error): void {
    for (const [id, waiting] of this.pending) {
      waiting.reject(error);
      this.pending.delete(id);
    }
  }
}
