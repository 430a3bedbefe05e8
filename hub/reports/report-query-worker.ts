/**
 * The reports' SQL on a thread of its own (worker-report-reads.ts starts it): better-sqlite3 is synchronous, so a
 * report read on the hub's thread would hold up every kiosk's transaction for as long as it runs, and SQLite has
 * no statement timeout. Here a report takes as long as it takes, and one that takes too long is ended with its
 * thread. One query at a time, in the order asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteReportReads } from './sqlite-report-reads.ts';

export const REPORT_QUERIES = ['trend', 'newMembers', 'topUps', 'pointsFlows', 'consumption'] as const;
export type ReportQuery = (typeof REPORT_QUERIES)[number];
export interface ReportQueryRequest { id: number; query: ReportQuery; args: unknown[] }
/** `ready`: the thread has loaded and opened the ledger; a query's time runs from then. */
export type ReportQueryAnswer = { id: number; result: unknown } | { id: number; error: string } | { ready: true };

const port = parentPort!;
const reads = new SqliteReportReads((workerData as { path: string }).path);
port.postMessage({ ready: true } satisfies ReportQueryAnswer);

port.on('message', (request: ReportQueryRequest) => {
  try {
    if (!REPORT_QUERIES.includes(request.query)) throw new Error(`no report query ${String(request.query)}`);
    const run = (...args: unknown[]) => (reads[request.query] as (this: SqliteReportReads, ...a: unknown[]) => unknown).apply(reads, args);
    port.postMessage({ id: request.id, result: run(...request.args) } satisfies ReportQueryAnswer);
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies ReportQueryAnswer);
  }
});
