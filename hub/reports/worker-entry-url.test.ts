import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerEntryUrl } from './worker-entry-url.ts';

describe('the file a report thread starts from', () => {
  it('is the compiled .js beside a compiled module, and the tsx starter .mjs beside a source', () => {
    expect(workerEntryUrl('report-query-worker', 'file:///app/dist/hub/reports/worker-report-reads.js').href).toBe('file:///app/dist/hub/reports/report-query-worker.js');
    expect(workerEntryUrl('report-query-worker', 'file:///app/hub/reports/worker-report-reads.ts').href).toBe('file:///app/hub/reports/report-query-worker.mjs');
  });

  it('names starters that exist beside the sources, for both report threads', () => {
    for (const name of ['report-query-worker', 'export-rows-worker']) expect(existsSync(fileURLToPath(workerEntryUrl(name, import.meta.url))), name).toBe(true);
  });
});
