/**
 * The reports over the hub's HTTPS API (real hub, real TLS, real SQLite, real logins) on the demo data: four
 * top-ups (¥200 + ¥500 + ¥1,000 + ¥2,000) and four purchases (¥50 + ¥300 + ¥800 + ¥1,500) made today at the demo
 * store, so today's figures are known. Scope: a store manager of another store reads zeros for their own store and
 * is refused the demo store; cashiers and technicians are refused every report. Exports: the xlsx read back with
 * exceljs and the CSV show the JSON answer's figures.
 */
import { request as httpsRequest } from 'node:https';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEZONE } from '../../core/rules/compile.ts';
import { clockFor } from '../../core/rules/local-time.ts';
import { DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { DEMO_REGION_ID } from '../demo/seed-demo-fleet.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { demoStoreStaffTokens } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

/** Today and tomorrow in the chain's zone: the period the demo data was made in. */
function today(): { from: string; to: string } {
  const local = clockFor(DEFAULT_TIMEZONE).fields(Date.now());
  const day = (offset: number) => new Date(Date.UTC(local.year, local.month - 1, local.day + offset)).toISOString().slice(0, 10);
  return { from: day(0), to: day(1) };
}

describe('reports over the hub API (real hub over HTTPS)', () => {
  let env: TestHub;
  let admin: string;
  let manager: string;
  let otherManager: string;
  let cashier: string;
  let technician: string;
  let regionManager: string;
  const { from, to } = today();
  const call = (path: string, token: string) => hubHttps(env, 'GET', path, { token });
  /** The raw bytes of an answer (an export). */
  const download = (path: string, token: string) =>
    new Promise<{ status: number; type: string; disposition: string; bytes: Buffer }>((resolve, reject) => {
      const req = httpsRequest(new URL(path, env.httpsUrl!), { ca: env.caPem, headers: { authorization: `Bearer ${token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), disposition: String(res.headers['content-disposition']), bytes: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    env = await startTestHub();
    const staffs = await demoStoreStaffTokens(env.hub.store);
    ({ admin, manager, otherManager, cashier } = staffs);
    technician = await staffs.token('technician', [DEMO_STORE_ID]);
    regionManager = await staffs.token('region_manager', [DEMO_STORE_ID, 'store-002']);
  });
  afterAll(async () => {
    await env.dispose();
  });

  it('the sales and top-up trend of today: 4 sales ¥2,650, 4 top-ups ¥3,700, for HQ, the store manager and a region manager', async () => {
    const expected = { salesCount: 4, salesCents: 265_000, topUpCount: 4, topUpCents: 370_000 };
    for (const token of [admin, manager, regionManager]) {
      const trend = await call(`/api/reports/trend?from=${from}&to=${to}&grain=day`, token);
      expect(trend.status).toBe(200);
      expect(trend.body).toMatchObject({ from, to, timezone: DEFAULT_TIMEZONE, grain: 'day', totals: expected, buckets: [{ bucket: from, ...expected }] });
    }
    // By month: one bucket named by the month's first day.
    const month = await call(`/api/reports/trend?from=${from}&to=${to}&grain=month`, admin);
    expect(month.body.buckets).toEqual([{ bucket: `${from.slice(0, 8)}01`, ...expected }]);
    // The demo region holds the demo store; a week before today holds nothing.
    expect((await call(`/api/reports/trend?from=${from}&to=${to}&regionId=${DEMO_REGION_ID}`, admin)).body.totals).toEqual(expected);
    const weekAgo = new Date(Date.parse(`${from}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
    const before = await call(`/api/reports/trend?from=${weekAgo}&to=${from}`, admin);
    expect((before.body.buckets as unknown[]).length).toBe(7);
    expect(before.body.totals).toEqual({ salesCount: 0, salesCents: 0, topUpCount: 0, topUpCents: 0 });
  });

  it('consumption records, new members, points liability and top-ups per store and staff', async () => {
    const page = await call(`/api/reports/consumption?from=${from}&to=${to}&pageSize=3`, manager);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 4, page: 1, pageSize: 3 });
    const records = page.body.records as { memberId: string; totalCents: number; storeId: string; cashCents: number; pointsEarned: number }[];
    // Newest first: Chen Jing's ¥1,500 was the last opening purchase.
    expect(records.map((r) => [r.memberId, r.totalCents, r.cashCents, r.storeId])).toEqual([
      ['M0004', 150_000, 150_000, DEMO_STORE_ID],
      ['M0003', 80_000, 80_000, DEMO_STORE_ID],
      ['M0002', 30_000, 30_000, DEMO_STORE_ID],
    ]);
    const second = await call(`/api/reports/consumption?from=${from}&to=${to}&pageSize=3&page=2`, manager);
    expect((second.body.records as { memberId: string }[]).map((r) => r.memberId)).toEqual(['M0001']);

    const members = await call(`/api/reports/new-members?from=${from}&to=${to}&grain=week`, admin);
    expect(members.body).toMatchObject({ total: 4, grain: 'week' });

    // Every point issued today is still outstanding: none redeemed or expired.
    const all = await call(`/api/reports/consumption?from=${from}&to=${to}&pageSize=500`, admin);
    const earned = (all.body.records as { pointsEarned: number }[]).reduce((sum, r) => sum + r.pointsEarned, 0);
    expect(earned).toBeGreaterThan(0);
    const points = await call(`/api/reports/points-liability?from=${from}&to=${to}`, manager);
    expect(points.body).toMatchObject({ issued: earned, redeemed: 0, expired: 0, outstanding: earned });

    const topUps = await call(`/api/reports/top-ups?from=${from}&to=${to}`, admin);
    expect(topUps.body).toMatchObject({
      totalCents: 370_000,
      count: 4,
      byStore: [{ storeId: DEMO_STORE_ID, count: 4, cents: 370_000 }],
      byStaff: [{ name: '演示总部管理员 Demo HQ Admin', count: 4, cents: 370_000 }],
      byTender: [{ tender: 'cash', count: 4, cents: 370_000 }],
    });
  });

  it('tier and card type filters count only those members, in every report (the rows, not the store totals)', async () => {
    // The demo's gold member M0003 bought ¥800 and topped up; nobody else is gold.
    const gold = `from=${from}&to=${to}&tier=gold`;
    const trend = await call(`/api/reports/trend?${gold}`, admin);
    expect(trend.body.totals).toMatchObject({ salesCount: 1, salesCents: 80_000, topUpCount: 1 });
    const page = await call(`/api/reports/consumption?${gold}`, admin);
    expect(page.body).toMatchObject({ total: 1 });
    expect((page.body.records as { memberId: string }[]).map((r) => r.memberId)).toEqual(['M0003']);
    expect((await call(`/api/reports/new-members?${gold}`, admin)).body).toMatchObject({ total: 1 });
    const points = await call(`/api/reports/points-liability?${gold}`, admin);
    const goldPoints = ((await call(`/api/reports/consumption?${gold}&pageSize=10`, admin)).body.records as { pointsEarned: number }[])[0]!.pointsEarned;
    expect(points.body).toMatchObject({ issued: goldPoints, outstanding: goldPoints });
    expect((await call(`/api/reports/top-ups?${gold}`, admin)).body).toMatchObject({ count: 1 });
    // Every demo card is of the rules' default type (no type of its own): asking for a type no card has counts nobody.
    expect((await call(`/api/reports/trend?from=${from}&to=${to}&cardType=no-such-type`, admin)).body.totals).toMatchObject({ salesCount: 0, topUpCount: 0 });
  });

  it('scope: another store reads its own zeros and is refused the demo store; cashiers and technicians read no report', async () => {
    const own = await call(`/api/reports/trend?from=${from}&to=${to}`, otherManager);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ storeIds: ['store-999'], totals: { salesCount: 0, salesCents: 0, topUpCount: 0, topUpCents: 0 } });
    expect((await call(`/api/reports/points-liability?from=${from}&to=${to}`, otherManager)).body).toMatchObject({ issued: 0, outstanding: 0 });
    expect((await call(`/api/reports/consumption?from=${from}&to=${to}&storeId=${DEMO_STORE_ID}`, otherManager)).status).toBe(403);
    expect((await call(`/api/reports/trend?from=${from}&to=${to}&regionId=${DEMO_REGION_ID}`, otherManager)).status).toBe(403);
    expect((await download(`/api/reports/consumption?from=${from}&to=${to}&storeId=${DEMO_STORE_ID}&format=xlsx`, otherManager)).status).toBe(403);
    for (const path of ['trend', 'consumption', 'new-members', 'points-liability', 'top-ups']) {
      for (const token of [cashier, technician]) expect((await call(`/api/reports/${path}?from=${from}&to=${to}`, token)).status).toBe(403);
      expect((await hubHttps(env, 'GET', `/api/reports/${path}?from=${from}&to=${to}`)).status).toBe(401);
    }
    expect((await call(`/api/reports/trend?from=${to}&to=${from}`, admin)).status).toBe(400);
    expect((await call(`/api/reports/trend?from=2024-01-01&to=2026-01-01`, admin)).status).toBe(400);
  });

  it('exports: the trend and the consumption records as xlsx (read back with exceljs) and as CSV with a BOM show the JSON figures', async () => {
    const trend = (await call(`/api/reports/trend?from=${from}&to=${to}`, admin)).body as { buckets: { bucket: string; salesCount: number; salesCents: number; topUpCount: number; topUpCents: number }[] };
    const xlsx = await download(`/api/reports/trend?from=${from}&to=${to}&format=xlsx`, admin);
    expect(xlsx.status).toBe(200);
    expect(xlsx.type).toContain('spreadsheetml');
    expect(xlsx.disposition).toContain(`trend-day-${from}-${to}.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.name).toBe('销售与充值趋势');
    expect(sheet.getRow(1).values).toEqual([undefined, '周期', '消费笔数', '消费金额(元)', '充值笔数', '充值金额(元)']);
    expect(sheet.getRow(2).values).toEqual([undefined, ...trend.buckets.map((b) => [b.bucket, b.salesCount, b.salesCents / 100, b.topUpCount, b.topUpCents / 100])[0]!]);

    const records = (await call(`/api/reports/consumption?from=${from}&to=${to}&pageSize=500`, manager)).body.records as { txId: string; memberName: string; totalCents: number; pointsEarned: number }[];
    const consumption = await download(`/api/reports/consumption?from=${from}&to=${to}&format=xlsx&lang=en`, manager);
    expect(consumption.status).toBe(200);
    const rows = new ExcelJS.Workbook();
    await rows.xlsx.load(consumption.bytes as unknown as ArrayBuffer);
    const list = rows.worksheets[0]!;
    expect(list.rowCount).toBe(1 + records.length);
    expect((list.getRow(1).values as unknown[]).slice(1)).toEqual(['Time', 'Transaction', 'Store', 'Member', 'Name', 'Amount (CNY)', 'Stored value (CNY)', 'Points earned']);
    records.forEach((record, i) => {
      const values = list.getRow(i + 2).values as unknown[];
      expect([values[2], values[5], values[6], values[8]]).toEqual([record.txId, record.memberName, record.totalCents / 100, record.pointsEarned]);
    });

    const csv = await download(`/api/reports/consumption?from=${from}&to=${to}&format=csv`, manager);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect([...csv.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('时间,交易号,门店,会员号,会员姓名,金额(元),储值支付(元),获得积分');
    expect(lines.slice(1).map((line) => line.split(',')[5])).toEqual(records.map((r) => String(r.totalCents / 100)));
  });
});
