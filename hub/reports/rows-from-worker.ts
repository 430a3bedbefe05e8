/**
 * An export's rows, read on a worker thread (export-rows-worker.ts) and handed out as an async iterable for the
 * export's writer on the hub's thread: the consumption records of a window, or the dormant and never-visited
 * members (export-row-sources.ts). The thread starts at the first row asked for. Abandoning the iteration (the
 * client went away) ends the worker, which closes its connection; a reader's error fails the iteration with its
 * reason.
 */
import { setImmediate } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { ConsumptionRecord, ReportWindow } from './consumption-records.ts';
import type { ExportRowOf, ExportRowSource } from './export-row-sources.ts';
import type { ExportRowsJob, ExportRowsMessage } from './export-rows-worker.ts';
import type { ChurnRow, MemberWindow } from './sqlite-member-report-reads.ts';
import { workerEntryUrl } from './worker-entry-url.ts';

/** Rows per message: large enough that posting costs little per row, small enough to start writing at once. */
const BATCH = 2_000;
/** How long the writer may hold the hub's thread before it gives the event loop a turn. */
const WRITE_SLICE_MS = 20;
/** Batches read ahead of the writer: the reader keeps busy, and at most this many wait in memory. */
const READ_AHEAD = 4;

export async function* rowsFromWorker<S extends ExportRowSource>(path: string, source: S): AsyncGenerator<ExportRowOf<S>> {
  const job: ExportRowsJob = { path, source, batchSize: BATCH, credits: READ_AHEAD };
  const worker = new Worker(workerEntryUrl('export-rows-worker', import.meta.url), { workerData: job });
  let sliceStart = performance.now();
  const arrived: ExportRowsMessage[] = [];
  let notify: (() => void) | null = null;
  // Set by the worker's events, read by the loop below.
  const ended: { failure: Error | null } = { failure: null };
  const wakeReader = () => {
    notify?.();
    notify = null;
  };
  worker.on('message', (message: ExportRowsMessage) => {
    arrived.push(message);
    wakeReader();
  });
  worker.on('error', (error) => {
    ended.failure = error;
    wakeReader();
  });
  worker.on('exit', (code) => {
    if (code !== 0 && !ended.failure) ended.failure = new Error(`the export reader stopped with exit code ${code}`);
    wakeReader();
  });
  try {
    for (;;) {
      const message = arrived.shift();
      if (!message) {
        if (ended.failure) throw ended.failure;
        await new Promise<void>((resolve) => (notify = resolve));
        continue;
      }
      if ('error' in message) throw new Error(`export reader: ${message.error}`);
      if ('done' in message) return;
      worker.postMessage(1);
      // A turn of the event loop for everyone else once the writer has held the thread for a slice. Node hands a
      // port's waiting messages over in one go, and the writer takes a batch's rows in microtasks: without a turn a
      // fast reader would have the hub's thread write the whole export before a timer, a request or a kiosk's
      // transaction got one (0.5 s for 80,000 rows of CSV). A turn after every batch instead halved the export's
      // rows per second (each turn also waits for the loop's I/O phase), so turns are given by time, not by batch.
      if (performance.now() - sliceStart >= WRITE_SLICE_MS) {
        await setImmediate();
        sliceStart = performance.now();
      }
      // The thread read them from the source `S` names (export-row-sources.ts).
      yield* message.rows as ExportRowOf<S>[];
    }
  } finally {
    await worker.terminate();
  }
}

/** The consumption records of a window, newest first (the consumption export). */
export function consumptionRowsFromWorker(path: string, window: ReportWindow): AsyncGenerator<ConsumptionRecord> {
  return rowsFromWorker(path, { kind: 'consumption', window });
}

/** The dormant and never-visited members in scope, never-visited first, then the oldest visit (the churn export). */
export function churnRowsFromWorker(path: string, members: MemberWindow, sinceIso: string): AsyncGenerator<ChurnRow> {
  return rowsFromWorker(path, { kind: 'churn', members, sinceIso });
}
