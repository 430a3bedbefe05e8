import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../core/paths/repository-path.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { WriterThreadData } from '../ledger/sqlite/ledger-writer-protocol.ts';
import { SqliteLedgerStore } from '../ledger/sqlite/sqlite-ledger-store.ts';
import { workerEntryUrl } from './worker-entry-url.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mk-worker-entry-'));
  dirs.push(dir);
  return dir;
}

/** The first message a thread started from `url` posts, or its error. */
function firstMessage(url: URL, workerData: unknown): Promise<unknown> {
  const worker = new Worker(url, { workerData });
  return new Promise<unknown>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the thread exited (${code}) before it said anything`)));
  }).finally(() => void worker.terminate());
}

describe('the file a worker thread starts from', () => {
  it('is the compiled .js beside a compiled module, and the tsx starter .mjs beside a source', () => {
    expect(workerEntryUrl('report-query-worker', 'file:///app/dist/hub/reports/worker-report-reads.js', null).href).toBe('file:///app/dist/hub/reports/report-query-worker.js');
    expect(workerEntryUrl('report-query-worker', 'file:///app/hub/reports/worker-report-reads.ts', null).href).toBe('file:///app/hub/reports/report-query-worker.mjs');
  });

  it('is the named build’s .js beside a source when that build has it (the test suite’s), the starter otherwise', () => {
    const build = tempDir();
    const beside = pathToFileURL(join(REPOSITORY_ROOT, 'hub', 'reports', 'worker-report-reads.ts')).href;
    expect(fileURLToPath(workerEntryUrl('report-query-worker', beside, build))).toBe(join(REPOSITORY_ROOT, 'hub', 'reports', 'report-query-worker.mjs'));
    mkdirSync(join(build, 'hub', 'reports'), { recursive: true });
    writeFileSync(join(build, 'hub', 'reports', 'report-query-worker.js'), '');
    expect(fileURLToPath(workerEntryUrl('report-query-worker', beside, build))).toBe(join(build, 'hub', 'reports', 'report-query-worker.js'));
    // A compiled module's own build wins over the named one.
    expect(workerEntryUrl('report-query-worker', 'file:///app/dist/hub/reports/worker-report-reads.js', build).href).toBe('file:///app/dist/hub/reports/report-query-worker.js');
  });

  it('names starters that exist beside the sources, for every thread', () => {
    const beside = { 'report-query-worker': 'hub/reports/x.ts', 'export-rows-worker': 'hub/reports/x.ts', 'ledger-writer-worker': 'hub/ledger/sqlite/x.ts' };
    for (const [name, source] of Object.entries(beside)) {
      expect(existsSync(fileURLToPath(workerEntryUrl(name, pathToFileURL(join(REPOSITORY_ROOT, source)).href, null))), name).toBe(true);
    }
  });

  // The suite runs its threads from its compiled build (MEMBERKIOSK_THREADS_DIST): these two start the tsx
  // starters themselves, which `npm start` and the benchmarks run.
  it('the ledger writer’s tsx starter loads the thread from the sources, which opens the ledger and says so', async () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const data: WriterThreadData = { path, logLevel: 'silent', fallbackBundle: DEFAULT_RULES_BUNDLE, hasSnapshotRules: false };
    const url = workerEntryUrl('ledger-writer-worker', pathToFileURL(join(REPOSITORY_ROOT, 'hub/ledger/sqlite/ledger-writer-thread.ts')).href, null);
    expect(url.pathname.endsWith('.mjs')).toBe(true);
    expect(await firstMessage(url, data)).toEqual({ type: 'ready' });
  });

  it('the report queries’ tsx starter loads the thread from the sources, which opens the ledger and says so', async () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const store = new SqliteLedgerStore({ path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await store.open();
    await store.close();
    const url = workerEntryUrl('report-query-worker', import.meta.url, null);
    expect(url.pathname.endsWith('.mjs')).toBe(true);
    expect(await firstMessage(url, { path })).toEqual({ ready: true });
  });
});
