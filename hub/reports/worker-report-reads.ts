/**
 * The reports' reads (sqlite-report-reads.ts) run on a worker thread (report-query-worker.ts), answered as
 * promises: the hub's thread, which applies the kiosks' transactions, never waits for a report. A query that runs
 * past `timeoutMs` is refused REPORT_TIMEOUT and its thread is ended with it (the only way to stop a SQLite
 * statement from outside); the next query starts a new one. Exports' rows are read on threads of their own
 * (rows-from-worker.ts): the consumption records and the dormant members.
 */
import { Worker } from 'node:worker_threads';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { ConsumptionRecord, ReportWindow } from './consumption-records.ts';
import type { MemberReportQuery, ReportQuery, ReportQueryAnswer, ReportQueryRequest } from './report-query-worker.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { CardGroup, ChurnCounts, ChurnRow, DemographicGroup, GiftGroup, MemberCreditLine, MemberWindow, PeriodWindow, ReferralRow } from './sqlite-member-report-reads.ts';
import { churnRowsFromWorker, consumptionRowsFromWorker } from './rows-from-worker.ts';
import type { MemberGroup, PointsFlows, TopUpGroup, TrendGroup } from './sqlite-report-reads.ts';
import { workerEntryUrl } from './worker-entry-url.ts';

/** Longer than any report of a year of a 50-store chain takes (under 0.5 s: npm run bench console-reports). */
export const REPORT_TIMEOUT_MS = 30_000;

interface Pending { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }

export class WorkerReportReads {
  private worker: Worker | null = null;
  /** Resolves when the current thread has started (loading the code takes longer than a query may). */
  private ready: Promise<void> = Promise.resolve();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly path: string,
    private readonly timeoutMs = REPORT_TIMEOUT_MS,
  ) {}

  trend(window: ReportWindow, prefixLength: number): Promise<TrendGroup[]> {
    return this.ask('trend', [window, prefixLength]) as Promise<TrendGroup[]>;
  }

  newMembers(window: ReportWindow, prefixLength: number): Promise<MemberGroup[]> {
    return this.ask('newMembers', [window, prefixLength]) as Promise<MemberGroup[]>;
  }

  topUps(window: ReportWindow): Promise<TopUpGroup[]> {
    return this.ask('topUps', [window]) as Promise<TopUpGroup[]>;
  }

  pointsFlows(window: ReportWindow, prefixLength: number): Promise<PointsFlows> {
    return this.ask('pointsFlows', [window, prefixLength]) as Promise<PointsFlows>;
  }

  consumption(window: ReportWindow, prefixLength: number, offset: number, limit: number): Promise<{ total: number; records: ConsumptionRecord[] }> {
    return this.ask('consumption', [window, prefixLength, offset, limit]) as Promise<{ total: number; records: ConsumptionRecord[] }>;
  }

  consumptionRows(window: ReportWindow): AsyncIterable<ConsumptionRecord> {
    return consumptionRowsFromWorker(this.path, window);
  }

  /** The member reports' queries on the same thread (sqlite-member-report-reads.ts). */
  readonly members = {
    churnCounts: (w: MemberWindow, sinceIso: string) => this.askMembers('churnCounts', [w, sinceIso]) as Promise<ChurnCounts>,
    churnPage: (w: MemberWindow, sinceIso: string, offset: number, limit: number) => this.askMembers('churnPage', [w, sinceIso, offset, limit]) as Promise<ChurnRow[]>,
    tierCounts: (w: MemberWindow) => this.askMembers('tierCounts', [w]) as Promise<{ tier: string; count: number }[]>,
    cardCounts: (w: MemberWindow) => this.askMembers('cardCounts', [w]) as Promise<CardGroup[]>,
    demographics: (w: MemberWindow, today: string) => this.askMembers('demographics', [w, today]) as Promise<DemographicGroup[]>,
    gifts: (w: PeriodWindow) => this.askMembers('gifts', [w]) as Promise<GiftGroup[]>,
    referralTotals: (w: PeriodWindow) => this.askMembers('referralTotals', [w]) as Promise<{ referrers: number; referred: number }>,
    referralPage: (w: PeriodWindow, offset: number, limit: number) => this.askMembers('referralPage', [w, offset, limit]) as Promise<ReferralRow[]>,
    memberCredits: (w: MemberWindow, bundle: RulesBundle, asOf: string) => this.askMembers('memberCredits', [w, bundle, asOf]) as Promise<MemberCreditLine[]>,
    /** The churn export's rows, on an export thread of their own (its sort takes as long as the query; no time limit). */
    churnRows: (w: MemberWindow, sinceIso: string): AsyncIterable<ChurnRow> => churnRowsFromWorker(this.path, w, sinceIso),
  };

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('the hub is stopping'));
    await worker?.terminate();
  }

  private ask(query: ReportQuery, args: unknown[]): Promise<unknown> {
    return this.send((id) => ({ id, target: 'reports', query, args }));
  }

  private askMembers(query: MemberReportQuery, args: unknown[]): Promise<unknown> {
    return this.send((id) => ({ id, target: 'members', query, args }));
  }

  private async send(request: (id: number) => ReportQueryRequest): Promise<unknown> {
    const worker = this.thread();
    await this.ready;
    // A thread that failed to start (or was ended) meanwhile takes no more questions.
    if (this.worker !== worker) throw new Error('the report thread stopped before the query could run');
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // The clock runs from the asking: a query queued behind a slow one counts its wait too.
      const timer = setTimeout(() => this.timedOut(worker), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage(request(id));
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerEntryUrl('report-query-worker', import.meta.url), { workerData: { path: this.path } });
    worker.unref();
    let started: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => (started = resolve));
    worker.on('message', (answer: ReportQueryAnswer) => {
      if ('ready' in answer) return started();
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      clearTimeout(waiting.timer);
      if ('error' in answer) waiting.reject(new Error(`report query: ${answer.error}`));
      else waiting.resolve(answer.result);
    });
    worker.on('error', (error) => {
      started();
      this.ended(worker, error);
    });
    worker.on('exit', (code) => {
      started();
      this.ended(worker, new Error(`the report thread stopped (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  /** A query ran too long: every query on that thread is refused, and the thread (its statement) ended. */
  private timedOut(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(new CodedError('REPORT_TIMEOUT', `a report ran past ${this.timeoutMs} ms and was stopped`));
    void worker.terminate();
  }

  private ended(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      this.pending.delete(id);
    }
  }
}
