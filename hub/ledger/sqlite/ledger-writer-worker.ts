/**
 * The ledger's writer thread (ledger-writer-thread.ts starts it): the kiosks' batches and HQ's transactions are
 * applied here, on a connection of its own to the hub's ledger file, by the same store code the hub's thread runs
 * (a SqliteLedgerStore without a thread of its own). One request at a time, in the order sent: the order the hub
 * received them in. Its log lines go to the hub's logger (ledger-writer-protocol.ts); what the fleet knows it is told
 * with each batch (batch-fleet-facts.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { lookupsFromFacts, type BatchFleetFacts } from './batch-fleet-facts.ts';
import { describeThreadError, type WriterAnswer, type WriterRequest, type WriterThreadData } from './ledger-writer-protocol.ts';
import { SqliteLedgerStore } from './sqlite-ledger-store.ts';

const port = parentPort!;
const data = workerData as WriterThreadData;

// pino writes each line to this destination; the hub's thread logs it again with its own logger.
const logger = pino({ level: data.logLevel }, { write: (line: string) => port.postMessage({ type: 'log', line } satisfies WriterAnswer) });

let facts: BatchFleetFacts = { regions: {}, snapshots: null };
const lookups = lookupsFromFacts(() => facts);
const store = new SqliteLedgerStore({
  path: data.path,
  logger,
  fallbackBundle: data.fallbackBundle,
  regionOf: lookups.regionOf,
  ...(data.hasSnapshotRules ? { snapshotRules: lookups.snapshotRules } : {}),
});

async function answer(request: WriterRequest): Promise<void> {
  try {
    switch (request.type) {
      case 'batch':
        facts = request.facts;
        if (request.fresh) store.forgetWriteCaches();
        port.postMessage({ type: 'done', id: request.id, results: await store.applyBatch(request.batch) } satisfies WriterAnswer);
        return;
      case 'hq':
        facts = request.facts;
        if (request.fresh) store.forgetWriteCaches();
        port.postMessage({ type: 'done', id: request.id, results: await store.applyHqBatch(request.bodies, request.options) } satisfies WriterAnswer);
        return;
      case 'rules-changed':
        store.forgetRulesCache();
        return;
      case 'close':
        await store.close();
        port.postMessage({ type: 'done', id: request.id, results: [] } satisfies WriterAnswer);
        return;
    }
  } catch (error) {
    if ('id' in request) port.postMessage({ type: 'failed', id: request.id, error: describeThreadError(error) } satisfies WriterAnswer);
    else logger.error({ err: error }, 'ledger writer thread: request failed');
  } finally {
    facts = { regions: {}, snapshots: null };
  }
}

try {
  await store.open();
  port.postMessage({ type: 'ready' } satisfies WriterAnswer);
} catch (error) {
  port.postMessage({ type: 'start-failed', error: describeThreadError(error) } satisfies WriterAnswer);
  process.exit(1);
}

// Chained: a request's promise settles before the next one starts (the store's work inside is synchronous anyway).
let queue = Promise.resolve();
port.on('message', (request: WriterRequest) => {
  queue = queue.then(() => answer(request));
});
