/**
 * The reports' SQL on a thread of its own (worker-report-reads.ts starts it): better-sqlite3 is synchronous, so a
 * report read on the hub's thread would hold up every kiosk's transaction for as long as it runs, and SQLite has
 * no statement timeout. Here a report takes as long as it takes, and one that takes too long is ended with its
 * thread. One query at a time, in the order asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteMemberReportReads } from './sqlite-member-report-reads.ts';
import { SqliteReportReads } from './sqlite-report-reads.ts';

export const REPORT_QUERIES = ['trend', 'newMembers', 'topUps', 'pointsFlows', 'consumption'] as const;
export type ReportQuery = (typeof REPORT_QUERIES)[number];
/** The member reports' queries that answer plain data (the churn export's rows come from an export thread: rows-from-worker.ts). */
export const MEMBER_REPORT_QUERIES = ['churnCounts', 'churnPage', 'tierCounts', 'cardCounts', 'demographics', 'gifts', 'referralTotals', 'referralPage', 'memberCredits'] as const;
export type MemberReportQuery = (typeof MEMBER_REPORT_QUERIES)[number];
export type ReportQueryRequest = { id: number; target: 'reports'; query: ReportQuery; args: unknown[] } | { id: number; target: 'members'; query: MemberReportQuery; args: unknown[] };
/** `ready`: the thread has loaded and opened the ledger; a query's time runs from then. */
export type ReportQueryAnswer = { id: number; result: unknown } | { id: number; error: string } | { ready: true };

const port = parentPort!;
const { path } = workerData as { path: string };
const reads = new SqliteReportReads(path);
const memberReads = new SqliteMemberReportReads(path);
port.postMessage({ ready: true } satisfies ReportQueryAnswer);

async function answer(request: ReportQueryRequest): Promise<void> {
  try {
    let result: unknown;
    if (request.target === 'reports' && REPORT_QUERIES.includes(request.query)) {
      result = (reads[request.query] as (this: SqliteReportReads, ...a: unknown[]) => unknown).apply(reads, request.args);
    } else if (request.target === 'members' && MEMBER_REPORT_QUERIES.includes(request.query)) {
      // The credit reports answer a promise (core's statements over the credit reads); the rest answer at once.
      result = await (memberReads[request.query] as (this: SqliteMemberReportReads, ...a: unknown[]) => unknown).apply(memberReads, request.args);
    } else {
      throw new Error(`no report query ${String(request.target)}.${String(request.query)}`);
    }
    port.postMessage({ id: request.id, result } satisfies ReportQueryAnswer);
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies ReportQueryAnswer);
  }
}

// Chained, so a query that awaits still finishes before the next one starts.
let queue = Promise.resolve();
port.on('message', (request: ReportQueryRequest) => {
  queue = queue.then(() => answer(request));
});
