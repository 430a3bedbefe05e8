/**
 * The consumption records of a window, read on a worker thread (export-rows-worker.ts) and handed out as an async
 * iterable for the export's writer on the hub's thread. Abandoning the iteration (the client went away) ends the
 * worker, which closes its connection.
 */
import { Worker } from 'node:worker_threads';
import type { ConsumptionRecord, ReportWindow } from './consumption-records.ts';
import type { ExportRowsJob, ExportRowsMessage } from './export-rows-worker.ts';

const WORKER_URL = new URL('./export-rows-worker.mjs', import.meta.url);
/** Rows per message: large enough that posting costs little per row, small enough to start writing at once. */
const BATCH = 2_000;
/** Batches read ahead of the writer: the reader keeps busy, and at most this many wait in memory. */
const READ_AHEAD = 4;

export async function* consumptionRowsFromWorker(path: string, window: ReportWindow): AsyncGenerator<ConsumptionRecord> {
  const job: ExportRowsJob = { path, window, batchSize: BATCH, credits: READ_AHEAD };
  const worker = new Worker(WORKER_URL, { workerData: job });
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
      yield* message.rows;
    }
  } finally {
    await worker.terminate();
  }
}
