/**
 * The rows an export's reader thread (export-rows-worker.ts) can read, one kind of job each: the consumption
 * records of a window, and the dormant and never-visited members (churn). Each reads with the SQL and the mapping
 * its page uses (consumption-records.ts, sqlite-member-report-reads.ts), so a page and its export always say the
 * same. A source is plain data: it crosses to the thread in workerData.
 *
 * Rows leave the thread as the page maps them, phone numbers unmasked: the hub's thread masks them for the caller
 * (hub/http/member-report-routes.ts) before a row is written, as it does for a page.
 */
import type { Database as Db } from 'better-sqlite3';
import { consumptionOf, recordsSql, type ConsumptionRecord, type RecordRow, type ReportWindow } from './consumption-records.ts';
import { churnRowsOf, type ChurnRow, type MemberWindow } from './sqlite-member-report-reads.ts';

export type ExportRowSource =
  | { kind: 'consumption'; window: ReportWindow }
  | { kind: 'churn'; members: MemberWindow; sinceIso: string };

interface RowOfKind {
  consumption: ConsumptionRecord;
  churn: ChurnRow;
}
/** The row a source's export reads. */
export type ExportRowOf<S extends ExportRowSource> = RowOfKind[S['kind']];

function* consumptionRowsOf(db: Db, window: ReportWindow): Generator<ConsumptionRecord> {
  for (const row of db.prepare(recordsSql(window)).iterate(window) as IterableIterator<RecordRow>) yield consumptionOf(row, window.timezone);
}

/** The source's rows on `db`, read as they are iterated. */
export function exportRowsOf(db: Db, source: ExportRowSource): Iterable<ExportRowOf<ExportRowSource>> {
  switch (source.kind) {
    case 'consumption':
      return consumptionRowsOf(db, source.window);
    case 'churn':
      return churnRowsOf(db, source.members, source.sinceIso);
    default: {
      // A kind added to the union without a case here fails to compile; one from elsewhere fails the export.
      const unknown: never = source;
      throw new Error(`no export rows of kind ${String((unknown as { kind?: unknown }).kind)}`);
    }
  }
}
