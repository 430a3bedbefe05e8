import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePurchasesLedger } from '../testing/purchases-ledger.ts';
import type { ReportWindow } from './consumption-records.ts';
import { consumptionRowsFromWorker } from './rows-from-worker.ts';

// More than the reader reads ahead (4 batches of 2,000), so an abandoned reader would be waiting with its statement open.
const ROWS = 12_000;
const window: ReportWindow = { fromIso: '2026-01-01T00:00:00.000Z', toIso: '2026-03-01T00:00:00.000Z', stores: null, timezone: 'Asia/Shanghai', tier: null, cardType: null, cardTypeIsDefault: 0 };

describe('consumption records read on a worker thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mk-rows-worker-'));
  const path = join(dir, 'ledger.sqlite');

  beforeAll(() => writePurchasesLedger(path, ROWS));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out every record of the window, newest first, across many batches, mapped as a page maps them', async () => {
    const seen = [];
    for await (const record of consumptionRowsFromWorker(path, window)) seen.push(record);
    expect(seen).toHaveLength(ROWS);
    expect(seen[0]).toEqual({ txId: 'T0012000', createdAt: expect.any(String), localTime: expect.stringMatching(/^2026-01-\d\d \d\d:\d\d:\d\d$/), storeId: 's2', memberId: 'M1', memberName: '王芳', totalCents: 12_100, storedValueCents: 12_100, cashCents: 0, pointsEarned: (12_000 % 7) + 1 });
    expect(seen.map((r) => r.txId)).toEqual([...seen.map((r) => r.txId)].sort().reverse());
  });

  it('reads only the stores asked for', async () => {
    let count = 0;
    for await (const record of consumptionRowsFromWorker(path, { ...window, stores: JSON.stringify(['s1']) })) {
      expect(record.storeId).toBe('s1');
      count += 1;
    }
    expect(count).toBe(ROWS / 2);
  });

  it('an abandoned export lets go of the ledger: a checkpoint that needs every reader gone completes', async () => {
    let taken = 0;
    for await (const _record of consumptionRowsFromWorker(path, window)) if (++taken === 10) break;
    const writer = new Database(path);
    try {
      writer.prepare("INSERT INTO members (member_id, name, phone, tier, created_at) VALUES ('M2', 'x', '1', 'gold', '2026-01-01')").run();
      const [checkpoint] = writer.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      expect(checkpoint?.busy).toBe(0);
    } finally {
      writer.close();
    }
  });

  it('a ledger that cannot be opened fails the iteration with the reader\'s reason, not a hang', async () => {
    const rows = consumptionRowsFromWorker(join(dir, 'missing.sqlite'), window);
    await expect(rows.next()).rejects.toThrow(/export reader: .*(unable to open|no such file|does not exist)/i);
  });
});
