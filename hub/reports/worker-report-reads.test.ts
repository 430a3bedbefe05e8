import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_SQL } from '../ledger/sqlite/schema.ts';
import type { ReportWindow } from './consumption-records.ts';
import { SqliteReportReads } from './sqlite-report-reads.ts';
import { WorkerReportReads } from './worker-report-reads.ts';

// Enough purchases that a read of them all through their payloads (the half-hour-zone path) takes a while.
const ROWS = 150_000;
const window: ReportWindow = { fromIso: '2026-01-01T00:00:00.000Z', toIso: '2026-04-01T00:00:00.000Z', stores: null, timezone: 'Asia/Shanghai', tier: null, cardType: null, cardTypeIsDefault: 0 };

describe('report reads on a thread of their own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mk-report-worker-'));
  const path = join(dir, 'ledger.sqlite');

  beforeAll(() => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA_SQL);
    db.prepare("INSERT INTO members (member_id, name, phone, tier, created_at, home_store_id) VALUES ('M1', '王芳', '13800000001', 'gold', '2025-01-01T00:00:00.000Z', 's1')").run();
    const insertTx = db.prepare(
      `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, member_id, bundle_version, created_at, applied_at, result)
       VALUES (?, 'k1', ?, '', 'purchase', 'h', ?, 'applied', 'M1', 1, ?, ?, '{}')`,
    );
    const insertPurchase = db.prepare("INSERT INTO purchases (tx_id, member_id, record) VALUES (?, 'M1', ?)");
    db.transaction(() => {
      for (let i = 1; i <= ROWS; i += 1) {
        const id = `T${String(i).padStart(7, '0')}`;
        const at = new Date(Date.parse('2026-01-01T00:00:00.000Z') + i * 40_000).toISOString();
        insertPurchase.run(id, JSON.stringify({ txId: id, memberId: 'M1', lines: [{ lineNo: 1, netCents: 100, points: 1 }], totalCents: 100 + (i % 50), tenders: { cashCents: 0, storedValueCents: 100, bonusValueCents: 0, pointsValueCents: 0, points: 0 } }));
        insertTx.run(id, i, JSON.stringify({ kind: 'purchase', storeId: i % 2 ? 's1' : 's2', id, lines: [{ lineNo: 1, sku: 'A', category: 'c', qty: 1, unitPriceCents: 100 }] }), at, at);
      }
    })();
    db.close();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers what the same reads answer on the hub thread', async () => {
    const direct = new SqliteReportReads(path);
    const threaded = new WorkerReportReads(path);
    try {
      expect(await threaded.trend(window, 13)).toEqual(direct.trend(window, 13));
      expect(await threaded.pointsFlows(window, 13)).toEqual(direct.pointsFlows(window, 13));
      expect(await threaded.consumption(window, 13, 10, 5)).toEqual(direct.consumption(window, 13, 10, 5));
    } finally {
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
    const threaded = new WorkerReportReads(path, 20);
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
