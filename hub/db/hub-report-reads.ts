/**
 * Where the console's reports read from, by the hub's ledger back end: on SQLite the ledger file on worker threads
 * (hub/reports/worker-report-reads.ts), so a long report never holds up the kiosks' transactions on the hub's
 * thread; on PostgreSQL read-only snapshots on a pool of their own (hub/reports/postgres-report-reads.ts), never the
 * SQLite file, which a hub on PostgreSQL does not have.
 */
import { join } from 'node:path';
import type { MemberReportReadsPort } from '../reports/member-reports.ts';
import { postgresReportReads } from '../reports/postgres-report-reads.ts';
import type { ReportReadsPort } from '../reports/reports.ts';
import { WorkerReportReads } from '../reports/worker-report-reads.ts';
import type { HubDb } from './hub-db.ts';

/** What the hub's composition root needs of its report reads: the two ports and a close at stop(). */
export interface HubReportReads extends ReportReadsPort {
  readonly members: MemberReportReadsPort;
  close(): Promise<void>;
}

/** Constructs only: neither opens a connection or a thread before the first report. */
export function hubReportReads(db: HubDb, dataDir: string): HubReportReads {
  return db.kind === 'sqlite' ? new WorkerReportReads(join(dataDir, 'ledger.sqlite')) : postgresReportReads(db.url);
}
