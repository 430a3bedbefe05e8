import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dormantMemberId, lastVisitOf, writeDormantMembersLedger } from '../testing/dormant-members-ledger.ts';
import { writePurchasesLedger } from '../testing/purchases-ledger.ts';
import type { ReportWindow } from './consumption-records.ts';
import type { ExportRowSource } from './export-row-sources.ts';
import { churnRowsFromWorker, consumptionRowsFromWorker, rowsFromWorker } from './rows-from-worker.ts';
import { SqliteMemberReportReads, type MemberWindow } from './sqlite-member-report-reads.ts';

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

// More dormant members than the reader reads ahead, as above.
const MEMBERS = 15_000;
const SINCE = '2026-03-01T00:00:00.000Z';
const everyMember: MemberWindow = { stores: null, tier: null, cardType: null, cardTypeIsDefault: 0 };

describe('dormant members (the churn export) read on a worker thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mk-churn-worker-'));
  const path = join(dir, 'ledger.sqlite');
  const inProcess = new SqliteMemberReportReads(path);

  beforeAll(() => writeDormantMembersLedger(path, MEMBERS), 60_000);
  afterAll(() => {
    inProcess.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fromWorker = async (members: MemberWindow) => {
    const rows = [];
    for await (const row of churnRowsFromWorker(path, members, SINCE)) rows.push(row);
    return rows;
  };

  it('hands out the rows the same query gives on the hub thread, in its order, across many batches', async () => {
    const rows = await fromWorker(everyMember);
    expect(rows).toEqual([...inProcess.churnRows(everyMember, SINCE)]);
    // Never visited first (by id), then the oldest last visit; every member of the ledger that is not active.
    const dormant = Array.from({ length: MEMBERS }, (_, k) => k + 1).filter((i) => (lastVisitOf(i) ?? '') < SINCE);
    expect(rows).toHaveLength(dormant.length);
    expect(rows.length).toBeGreaterThan(8_000);
    expect(rows[0]).toEqual({ memberId: dormantMemberId(3), name: '会员3', phone: '13900000003', tier: 'standard', homeStoreId: 's1', lastVisit: null, storedValueCents: 3, points: 3 });
    const visited = rows.filter((r) => r.lastVisit !== null).map((r) => r.lastVisit!);
    expect(visited).toEqual([...visited].sort());
    expect(visited.every((at) => at < SINCE)).toBe(true);
  });

  it('reads only the stores and the tier asked for, as the page does', async () => {
    const oneStoreGold: MemberWindow = { ...everyMember, stores: JSON.stringify(['s2']), tier: 'gold' };
    const rows = await fromWorker(oneStoreGold);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.homeStoreId === 's2' && r.tier === 'gold')).toBe(true);
    expect(rows).toEqual([...inProcess.churnRows(oneStoreGold, SINCE)]);
  });

  it('an abandoned export lets go of the ledger: a checkpoint that needs every reader gone completes', async () => {
    let taken = 0;
    for await (const _row of churnRowsFromWorker(path, everyMember, SINCE)) if (++taken === 10) break;
    const writer = new Database(path);
    try {
      writer.prepare("INSERT INTO members (member_id, name, phone, tier, created_at) VALUES ('X1', 'x', '1', 'gold', '2026-01-01')").run();
      const [checkpoint] = writer.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      expect(checkpoint?.busy).toBe(0);
    } finally {
      writer.close();
    }
  });

  it('a source the reader does not know fails the iteration with its reason', async () => {
    const rows = rowsFromWorker(path, { kind: 'referrals' } as unknown as ExportRowSource);
    await expect(rows.next()).rejects.toThrow('export reader: no export rows of kind referrals');
  });
});
