import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePurchasesLedger } from '../testing/purchases-ledger.ts';
import type { ReportWindow } from './consumption-records.ts';
import { SqliteMemberReportReads } from './sqlite-member-report-reads.ts';
import { SqliteReportReads } from './sqlite-report-reads.ts';
import { WorkerReportReads } from './worker-report-reads.ts';

// Enough purchases that a read of them all through their payloads (the half-hour-zone path) takes a while.
const ROWS = 150_000;
const window: ReportWindow = { fromIso: '2026-01-01T00:00:00.000Z', toIso: '2026-04-01T00:00:00.000Z', stores: null, timezone: 'Asia/Shanghai', tier: null, cardType: null, cardTypeIsDefault: 0 };

describe('report reads on a thread of their own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mk-report-worker-'));
  const path = join(dir, 'ledger.sqlite');

  beforeAll(() => writePurchasesLedger(path, ROWS), 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers what the same reads answer on the hub thread, the member reports too', async () => {
    const direct = new SqliteReportReads(path);
    const directMembers = new SqliteMemberReportReads(path);
    const threaded = new WorkerReportReads(path);
    try {
      expect(await threaded.trend(window, 13)).toEqual(direct.trend(window, 13));
      expect(await threaded.pointsFlows(window, 13)).toEqual(direct.pointsFlows(window, 13));
      expect(await threaded.consumption(window, 13, 10, 5)).toEqual(direct.consumption(window, 13, 10, 5));
      // The member reports' queries too.
      const members = { stores: null, tier: null, cardType: null, cardTypeIsDefault: 0 as const };
      expect(await threaded.members.churnCounts(members, '2026-03-01T00:00:00.000Z')).toEqual(directMembers.churnCounts(members, '2026-03-01T00:00:00.000Z'));
      expect(await threaded.members.tierCounts(members)).toEqual([{ tier: 'gold', count: 1 }]);
    } finally {
      directMembers.close();
      direct.close();
      await threaded.close();
    }
  });

  it('leaves the hub thread free while a long report runs', async () => {
    const threaded = new WorkerReportReads(path);
    try {
      let ticks = 0;
      const ticker = setInterval(() => (ticks += 1), 5);
      const started = performance.now();
      // The minute-prefix path reads every payload: far longer than 5 ms.
      const groups = await threaded.trend(window, 16);
      const took = performance.now() - started;
      clearInterval(ticker);
      expect(groups.reduce((sum, g) => sum + g.count, 0)).toBe(ROWS);
      // A tick every 5 ms while it ran, give or take: the thread that asked was never blocked.
      expect(ticks).toBeGreaterThan(took / 5 / 3);
    } finally {
      await threaded.close();
    }
  });

  it('refuses a report that runs past its time with REPORT_TIMEOUT, ends it, and answers the next one on a new thread', async () => {
    // Between the two: the slow report reads every payload (about 1 s here), the quick one a few hundred rows (2 ms
    // warm, ~30 ms on a fresh thread's cold caches, more on a loaded machine: at 20 ms it was refused in a full run).
    const threaded = new WorkerReportReads(path, 250);
    try {
      await expect(threaded.trend(window, 16)).rejects.toMatchObject({ code: 'REPORT_TIMEOUT' });
      // A quick one afterwards, on a fresh thread (the totals path reads a few hundred rows).
      const patient = new WorkerReportReads(path);
      try {
        expect((await patient.trend(window, 13)).reduce((sum, g) => sum + g.count, 0)).toBe(ROWS);
      } finally {
        await patient.close();
      }
      expect((await threaded.consumption(window, 13, 0, 1)).total).toBe(ROWS);
    } finally {
      await threaded.close();
    }
  });
});
