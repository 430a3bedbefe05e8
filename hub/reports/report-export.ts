/**
 * Streaming a report's rows to a spreadsheet: CSV (UTF-8 with a BOM, so Excel opens Chinese correctly) or xlsx
 * through exceljs's streaming WorkbookWriter. Rows are produced only as fast as the client takes them: exceljs
 * writes into its zip without waiting for the output, so after every batch the producer waits while the output
 * stream is over its high-water mark (the HTTP response behind it is slow), and stops when it is destroyed (the
 * client went away), which ends the row iterator and closes its database connection.
 */
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
// Types only: exceljs itself (0.4 s to load) is loaded when a workbook is first written, not with every hub start.
import type ExcelJS from 'exceljs';

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportColumn<Row> {
  header: string;
  /** A number (money in yuan) or text; null: empty. */
  value: (row: Row) => string | number | null;
  width?: number;
}

const BATCH = 500;

function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Resolves when the output has room again; false when it is gone (destroyed or errored) and nothing more should be written. */
async function room(out: Writable): Promise<boolean> {
  while (!out.destroyed && out.writableNeedDrain) {
    const waiting = new AbortController();
    // Whichever comes first; the other listener is removed, so a long export does not pile them up.
    await Promise.race([once(out, 'drain', { signal: waiting.signal }), once(out, 'close', { signal: waiting.signal })]).catch(() => undefined);
    waiting.abort();
  }
  return !out.destroyed;
}

async function writeCsv<Row>(out: PassThrough, columns: ExportColumn<Row>[], rows: Iterable<Row> | AsyncIterable<Row>): Promise<void> {
  out.write('\uFEFF' + columns.map((c) => csvField(c.header)).join(',') + '\r\n');
  let chunk = '';
  let n = 0;
  for await (const row of rows) {
    chunk += columns.map((c) => csvField(c.value(row))).join(',') + '\r\n';
    if (++n % BATCH === 0) {
      out.write(chunk);
      chunk = '';
      // A turn of the event loop between batches, as for xlsx: rows that are already there (an array, a reader's
      // queued batches) would otherwise be written in one go, and nothing else would run on the hub's thread.
      await new Promise((resolve) => setImmediate(resolve));
      if (!(await room(out))) return;
    }
  }
  out.end(chunk);
}

/** Uncompressed sheet bytes allowed to wait for the zip's deflate stage before the producer waits too. */
const ZIP_BACKLOG_BYTES = 1024 * 1024;

/**
 * How many uncompressed sheet bytes wait for the zip stage. exceljs's sheet stream (a StreamBuf) writes into the
 * zip entry's pass-through without heeding its back-pressure: when the client is fast, deflate is the slow stage
 * and that pass-through is what grows. Internal to exceljs 4 (readable-stream state); absent, 0: only the output
 * is watched.
 */
function zipBacklog(sheet: ExcelJS.Worksheet): number {
  interface State { length?: number }
  const entry = (sheet as unknown as { _stream?: { pipes?: { _writableState?: State; _readableState?: State }[] } })._stream?.pipes?.[0];
  return (entry?._writableState?.length ?? 0) + (entry?._readableState?.length ?? 0);
}

/** Waits (in short naps: the zip stage raises no event when it catches up) until the zip backlog is small again. */
async function zipCaughtUp(sheet: ExcelJS.Worksheet, out: Writable): Promise<void> {
  while (!out.destroyed && zipBacklog(sheet) > ZIP_BACKLOG_BYTES) await new Promise((resolve) => setTimeout(resolve, 2));
}

async function writeXlsx<Row>(out: PassThrough, sheetName: string, columns: ExportColumn<Row>[], rows: Iterable<Row> | AsyncIterable<Row>): Promise<void> {
  // Fastest deflate: an export is read once, and the zip stage is the slow one.
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false, zip: { zlib: { level: 1 } } });
  const sheet = workbook.addWorksheet(sheetName);
  sheet.columns = columns.map((c, i) => ({ header: c.header, key: String(i), width: c.width ?? 14 }));
  let n = 0;
  for await (const row of rows) {
    sheet.addRow(columns.map((c) => c.value(row))).commit();
    if (++n % BATCH === 0) {
      // Let the zip and deflate stages run, then wait for the client.
      await new Promise((resolve) => setImmediate(resolve));
      await zipCaughtUp(sheet, out);
      if (!(await room(out))) return;
    }
  }
  sheet.commit();
  await workbook.commit();
}

/**
 * A readable stream of the rows in the format, for reply.send(): produced as it is read. An error while
 * producing destroys the stream (the client sees a cut response, the log the error).
 */
export function exportStream<Row>(format: ExportFormat, sheetName: string, columns: ExportColumn<Row>[], rows: Iterable<Row> | AsyncIterable<Row>, onError?: (error: unknown) => void): PassThrough {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const producing = format === 'csv' ? writeCsv(out, columns, rows) : writeXlsx(out, sheetName, columns, rows);
  producing.catch((error: unknown) => {
    onError?.(error);
    out.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return out;
}

export function exportContentType(format: ExportFormat): string {
  return format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
}

/** Money in yuan, as a spreadsheet sums it. */
export const yuan = (cents: number): number => Math.round(cents) / 100;
