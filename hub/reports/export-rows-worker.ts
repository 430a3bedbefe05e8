/**
 * An export's reader, on a worker thread of its own (rows-from-worker.ts starts it): it reads the rows of one
 * source (export-row-sources.ts: consumption records, dormant members) on its own read-only connection and posts
 * them in batches, while the hub's thread writes the spreadsheet. Reading is most of an export's work, and some
 * sources sort before their first row (the dormant members: over a second for 100,000 members); here it neither
 * holds up the ledger on the hub's thread nor waits for it, and the two halves run on both cores.
 *
 * Flow: the hub grants credits (batches it will take); the reader posts a batch per credit and waits for more
 * when it has none, so a slow client slows the reading instead of filling memory. The statement stays open
 * while it waits (its own connection, WAL: the ledger writes on). An error is posted as its message, then the
 * thread ends; the hub ends the thread (and with it the connection) when the export is abandoned.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openReportConnection } from './report-connection.ts';
import { exportRowsOf, type ExportRowSource } from './export-row-sources.ts';

export interface ExportRowsJob { path: string; source: ExportRowSource; batchSize: number; credits: number }
export type ExportRowsMessage = { rows: unknown[] } | { done: true } | { error: string };

const port = parentPort!;
const job = workerData as ExportRowsJob;
let credits = job.credits;
let wake: (() => void) | null = null;
port.on('message', (granted: number) => {
  credits += granted;
  wake?.();
  wake = null;
});
const creditAvailable = () => (credits > 0 ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve)));

async function read(): Promise<void> {
  const db = openReportConnection(job.path);
  try {
    let batch: unknown[] = [];
    for (const row of exportRowsOf(db, job.source)) {
      batch.push(row);
      if (batch.length === job.batchSize) {
        await creditAvailable();
        credits -= 1;
        port.postMessage({ rows: batch } satisfies ExportRowsMessage);
        batch = [];
      }
    }
    if (batch.length > 0) port.postMessage({ rows: batch } satisfies ExportRowsMessage);
    port.postMessage({ done: true } satisfies ExportRowsMessage);
  } finally {
    db.close();
  }
}

read().then(
  () => port.close(),
  (error: unknown) => {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies ExportRowsMessage);
    port.close();
  },
);
