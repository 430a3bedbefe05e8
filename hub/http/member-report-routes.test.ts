/**
 * The member reports over the hub's API (Fastify inject) on a real SQLite ledger file read through the reports'
 * read-only connection, with rows written in the ledger's shapes so every figure is known: two stores in two
 * regions, members with and without visits, credit, profiles, gift redemptions and referrals, "now" fixed at
 * 2026-06-15 12:00 in Shanghai. Scope: a store manager reads their store only and is refused another store's and
 * another region's report; cashiers and technicians read none. Exports read back with exceljs and as CSV. The
 * member reports read as on the hub: queries on the report thread, the churn export's rows on an export thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerForError } from '../../core/errors/error-answer.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { createMemberReports, type CardDistributionReport, type ChurnReport, type CreditStatementsReport, type CreditWarningsReport, type DemographicsReport, type GiftReport, type ReferralReport } from '../reports/member-reports.ts';
import { createReports } from '../reports/reports.ts';
import { SqliteReportReads } from '../reports/sqlite-report-reads.ts';
import { WorkerReportReads } from '../reports/worker-report-reads.ts';
import { staffAuthorization } from '../testing/staff-actor.ts';
import { registerMemberReportRoutes } from './member-report-routes.ts';

const NOW = Date.parse('2026-06-15T04:00:00Z');
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(NOW - n * DAY).toISOString();
const REGIONS: Record<string, string[]> = { east: ['store-a'], south: ['store-b', 'store-c'] };

const BUNDLE: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  credit: { graceDays: 20 },
  cardTypes: {
    default: 'std',
    types: [
      { typeId: 'std', label: '普通卡', class: 'personal' },
      { typeId: 'gold-card', label: '金卡', class: 'personal' },
    ],
  },
};

/** The ledger rows: members, cards, profiles, accounts, transactions and their journal entries. */
function writeRows(path: string): void {
  const db = new Database(path);
  const member = db.prepare('INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at, home_store_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const card = db.prepare('INSERT INTO cards (uid, member_id, status, issued_at, card_type) VALUES (?, ?, ?, ?, ?)');
  const profile = db.prepare("INSERT INTO member_profiles (member_id, gender, birthday, updated_at) VALUES (?, ?, ?, '2025-01-01T00:00:00Z')");
  const account = db.prepare('INSERT INTO accounts (member_id, account, balance) VALUES (?, ?, ?)');
  const tx = db.prepare(`INSERT INTO transactions (tx_id, device_id, seq, kind, content_hash, payload, status, member_id, created_at, applied_at, result)
    VALUES (?, 'kiosk-1', ?, ?, 'h', ?, ?, ?, ?, ?, '{}')`);
  const journal = db.prepare('INSERT INTO journal (tx_id, member_id, account, amount, lot_id) VALUES (?, ?, ?, ?, ?)');
  const gift = db.prepare('INSERT INTO gifts (sku, name, points_price, stock) VALUES (?, ?, ?, 100)');
  let seq = 0;
  const record = (txId: string, kind: string, memberId: string, storeId: string, at: string, fields: Record<string, unknown> = {}, status = 'applied') =>
    tx.run(txId, ++seq, kind, JSON.stringify({ kind, storeId, ...fields }), status, memberId, at, at);
  db.transaction(() => {
    const long = '2024-01-01T00:00:00Z';
    member.run('A1', '王芳', '13800000001', 'gold', null, 100_000, long, 'store-a');
    member.run('A2', '李强', '13800000002', 'standard', 'A1', 50_000, long, 'store-a');
    member.run('A3', '张敏', '13800000003', 'standard', null, 0, long, 'store-a');
    member.run('A4', '刘洋', '13800000004', 'standard', null, 0, long, 'store-a');
    member.run('B1', '陈静', '13900000001', 'gold', null, 0, long, 'store-b');
    member.run('B2', '杨磊', '13900000002', 'standard', null, 0, long, 'store-b');
    card.run('CA1', 'A1', 'active', long, 'gold-card');
    card.run('CA2', 'A2', 'active', long, null);
    card.run('CA3', 'A3', 'lost', long, null);
    card.run('CA4', 'A4', 'active', long, 'std');
    card.run('CB1', 'B1', 'active', long, 'gold-card');
    card.run('CB2', 'B2', 'active', long, null);
    profile.run('A1', 'female', '1990-07-01');
    profile.run('A2', 'male', '2000-06-15');
    profile.run('A3', 'female', '2010-01-01');
    profile.run('B1', 'male', '1950-01-01');
    profile.run('B2', 'other', null);
    account.run('A3', 'stored_value', 12_345);
    account.run('A3', 'bonus_value', 100);
    account.run('A3', 'points', 77);

    // Visits: A1 10 days ago (on credit, near the limit), A2 100 days ago (on credit, part repaid, overdue),
    // A3 200 days ago, B1 300 days ago (on credit, no limit: over it and overdue); A4 and B2 never.
    record('P-A1', 'purchase', 'A1', 'store-a', daysAgo(10));
    journal.run('P-A1', 'A1', 'credit', 90_000, null);
    record('P-A2', 'purchase', 'A2', 'store-a', daysAgo(100));
    journal.run('P-A2', 'A2', 'credit', 30_000, null);
    record('R-A2', 'credit_repay', 'A2', 'store-a', '2026-04-01T02:00:00Z');
    journal.run('R-A2', 'A2', 'credit', -10_000, null);
    record('X-A2', 'purchase', 'A2', 'store-a', daysAgo(5), {}, 'rejected');
    record('T-A2', 'top_up', 'A2', 'store-a', daysAgo(3));
    record('P-A3', 'purchase', 'A3', 'store-a', daysAgo(200));
    record('P-B1', 'purchase', 'B1', 'store-b', daysAgo(300));
    journal.run('P-B1', 'B1', 'credit', 10_000, null);

    // Gifts: in June, A1 two mugs at store A, A2 one mug at store B, B1 a bag at store B; one in April, one refused.
    gift.run('G-MUG', '马克杯', 100);
    gift.run('G-BAG', '帆布袋', 500);
    const redeem = (txId: string, memberId: string, storeId: string, at: string, sku: string, qty: number, points: number, status = 'applied') => {
      record(txId, 'redeem_gift', memberId, storeId, at, { giftSku: sku, qty }, status);
      if (status === 'applied') journal.run(txId, memberId, 'points', -points, 'lot');
    };
    redeem('G1', 'A1', 'store-a', '2026-06-01T03:00:00Z', 'G-MUG', 2, 200);
    redeem('G2', 'A2', 'store-b', '2026-06-02T03:00:00Z', 'G-MUG', 1, 100);
    redeem('G3', 'B1', 'store-b', '2026-06-03T03:00:00Z', 'G-BAG', 1, 500);
    redeem('G4', 'A1', 'store-a', '2026-04-01T03:00:00Z', 'G-BAG', 1, 500);
    redeem('G5', 'A1', 'store-a', '2026-06-04T03:00:00Z', 'G-BAG', 1, 500, 'rejected');

    // Referrals: A1 referred C1–C3 in June (and C5 in March), A2 referred C4 in June (A1 earns its level 2).
    const referred = (id: string, referrer: string, at: string, awards: [string, number, string][]) => {
      member.run(id, `新会员${id}`, `1370000000${id.slice(1)}`, 'standard', referrer, 0, at, 'store-c');
      record(`REG-${id}`, 'register_member', id, 'store-c', at);
      for (const [to, points, level] of awards) journal.run(`REG-${id}`, to, 'points', points, `REG-${id}:ref${level}`);
    };
    referred('C1', 'A1', '2026-06-02T02:00:00Z', [['A1', 50, '1']]);
    referred('C2', 'A1', '2026-06-03T02:00:00Z', [['A1', 50, '1']]);
    referred('C3', 'A1', '2026-06-04T02:00:00Z', [['A1', 50, '1']]);
    referred('C4', 'A2', '2026-06-05T02:00:00Z', [['A2', 50, '1'], ['A1', 20, '2']]);
    referred('C5', 'A1', '2026-03-05T02:00:00Z', [['A1', 50, '1']]);
    // A1 spent 30 of a referral lot: a draw, not less earned.
    record('SPEND', 'redeem_gift', 'A1', 'store-a', '2026-06-06T02:00:00Z', {}, 'rejected');
    journal.run('SPEND', 'A1', 'points', -30, 'REG-C1:ref1');
  })();
  db.close();
}

describe('member reports over the hub API', () => {
  let dir: string;
  let ledger: Ledger;
  let app: FastifyInstance;
  let memberReads: WorkerReportReads;
  let reportReads: SqliteReportReads;
  const headers: Record<string, { authorization: string }> = {};

  const get = async (url: string, who: string) => {
    const res = await app.inject({ method: 'GET', url, headers: headers[who] });
    return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? res.json<unknown>() : null, raw: res.rawPayload, type: String(res.headers['content-type']), disposition: String(res.headers['content-disposition']) };
  };
  const json = async <T>(url: string, who = 'hq'): Promise<T> => {
    const res = await get(url, who);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as T;
  };
  const sheetOf = async (bytes: Buffer) => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    return { name: sheet.name, rows };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-member-reports-'));
    const path = join(dir, 'ledger.sqlite');
    ledger = await openLedger({ kind: 'sqlite', path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    writeRows(path);
    const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    headers.hq = await staffAuthorization(identity, 'hq_admin', ['*']);
    headers.managerA = await staffAuthorization(identity, 'store_manager', ['store-a']);
    headers.regionSouth = await staffAuthorization(identity, 'region_manager', ['store-b', 'store-c']);
    headers.cashier = await staffAuthorization(identity, 'cashier', ['store-a']);
    headers.technician = await staffAuthorization(identity, 'technician', ['store-a']);
    const rules = { latestRulesBundle: async () => BUNDLE };
    reportReads = new SqliteReportReads(path);
    memberReads = new WorkerReportReads(path);
    const reports = createReports({ reads: reportReads, rules, storesOfRegion: async (regionId) => REGIONS[regionId] ?? [] });
    const regions = async () => ({
      storeRegions: new Map(Object.entries(REGIONS).flatMap(([region, stores]) => stores.map((s) => [s, region] as const))),
      regionNames: new Map([['east', '华东'], ['south', '华南']]),
    });
    app = Fastify({ logger: false });
    app.setErrorHandler((error, _request, reply) => {
      const answer = answerForError(error);
      return answer ? reply.code(answer.status).send(answer.body) : reply.code(500).send({ error: String(error) });
    });
    registerMemberReportRoutes(app, { identity, rules, now: () => NOW, memberReports: createMemberReports({ reads: memberReads.members, reports, rules, regions, now: () => NOW }) });
  });
  afterAll(async () => {
    await app?.close();
    await memberReads?.close();
    reportReads?.close();
    await ledger?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('churn: active, dormant and never-visited members of a store; the list never-visited first, then the oldest visit', async () => {
    const report = await json<ChurnReport>('/api/reports/churn?days=90&storeId=store-a', 'managerA');
    // A2's refused purchase 5 days ago and top-up 3 days ago are not visits.
    expect(report).toMatchObject({ storeIds: ['store-a'], days: 90, counts: { total: 4, active: 1, dormant: 2, never: 1 }, total: 3 });
    expect(report.members.map((m: { memberId: string; daysSince: number | null }) => [m.memberId, m.daysSince])).toEqual([['A4', null], ['A3', 200], ['A2', 100]]);
    // Balances; the phone masked for a store manager, in full for HQ (as the member search shows them).
    expect(report.members[1]).toMatchObject({ name: '张敏', tier: 'standard', homeStoreId: 'store-a', storedValueCents: 12_445, points: 77, phone: '*******0003', lastVisit: daysAgo(200) });
    expect((await json<ChurnReport>('/api/reports/churn?days=90&storeId=store-a')).members[1]?.phone).toBe('13800000003');
    // A window of 150 days makes A2 active; paging.
    expect((await json<ChurnReport>('/api/reports/churn?days=150&storeId=store-a')).counts).toEqual({ total: 4, active: 2, dormant: 1, never: 1 });
    expect((await json<ChurnReport>('/api/reports/churn?days=90&storeId=store-a&pageSize=2&page=2')).members.map((m: { memberId: string }) => m.memberId)).toEqual(['A2']);
    // Tier and card type: a card with no type is of the default type (std).
    expect((await json<ChurnReport>('/api/reports/churn?days=90&storeId=store-a&tier=gold')).counts).toEqual({ total: 1, active: 1, dormant: 0, never: 0 });
    expect((await json<ChurnReport>('/api/reports/churn?days=90&storeId=store-a&cardType=std')).counts).toEqual({ total: 3, active: 0, dormant: 2, never: 1 });
    expect((await json<ChurnReport>('/api/reports/churn?days=90&cardType=gold-card')).counts).toEqual({ total: 2, active: 1, dormant: 1, never: 0 });
    // Every store for HQ; a region's for its manager (the referred members of store C registered this month, none shopped).
    expect((await json<ChurnReport>('/api/reports/churn?days=90')).counts).toEqual({ total: 11, active: 1, dormant: 3, never: 7 });
    expect((await json<ChurnReport>('/api/reports/churn?days=90&regionId=south', 'regionSouth')).counts).toEqual({ total: 7, active: 0, dormant: 1, never: 6 });
  });

  it('scope: a store manager is refused another store and region; cashiers and technicians read no member report', async () => {
    expect((await get('/api/reports/churn?storeId=store-b', 'managerA')).status).toBe(403);
    expect((await get('/api/reports/demographics?regionId=south', 'managerA')).status).toBe(403);
    expect((await get('/api/reports/gift-redemptions?from=2026-06-01&to=2026-06-16&storeId=store-b&format=xlsx', 'managerA')).status).toBe(403);
    const paths = ['member-filters', 'churn', 'credit-warnings', 'credit-statements?from=2026-06-01&to=2026-06-16', 'card-distribution', 'demographics', 'gift-redemptions?from=2026-06-01&to=2026-06-16', 'referrals?from=2026-06-01&to=2026-06-16'];
    for (const path of paths) {
      for (const who of ['cashier', 'technician']) expect((await get(`/api/reports/${path}`, who)).status).toBe(403);
      expect((await app.inject({ method: 'GET', url: `/api/reports/${path}` })).statusCode).toBe(401);
    }
    expect((await get('/api/reports/churn?days=0', 'hq')).status).toBe(400);
    expect((await get('/api/reports/referrals?from=2026-06-16&to=2026-06-01', 'hq')).status).toBe(400);
  });

  it('credit warnings: overdue first, then over the limit, then near it, as the member page computes them', async () => {
    const all = await json<CreditWarningsReport>('/api/reports/credit-warnings');
    expect(all).toMatchObject({ counts: { overdue: 2, over_limit: 1, near_limit: 1 }, membersWithCredit: 3, owedCents: 120_000 });
    expect(all.members.map((m: { memberId: string; warnings: string[]; owedCents: number; limitCents: number; overdueCents: number; oldestDueDate: string | null }) => [m.memberId, m.warnings, m.owedCents, m.limitCents, m.overdueCents, m.oldestDueDate])).toEqual([
      ['A2', ['overdue'], 20_000, 50_000, 20_000, '2026-04-20'],
      ['B1', ['overdue', 'over_limit'], 10_000, 0, 10_000, '2025-09-20'],
      ['A1', ['near_limit'], 90_000, 100_000, 0, null],
    ]);
    const mine = await json<CreditWarningsReport>('/api/reports/credit-warnings?warning=overdue', 'managerA');
    expect(mine.members.map((m: { memberId: string; phone: string }) => [m.memberId, m.phone])).toEqual([['A2', '*******0002']]);
  });

  it('credit statements per month: members with a statement, owed, due and overdue', async () => {
    const report = await json<CreditStatementsReport>('/api/reports/credit-statements?from=2026-03-01&to=2026-07-01&storeId=store-a');
    const byMonth = Object.fromEntries(report.months.map((m: { month: string }) => [m.month, m]));
    expect(Object.keys(byMonth)).toEqual(['2026-03', '2026-04', '2026-05', '2026-06']);
    // March: ¥300 on credit, ¥100 repaid before its due date (20 April): ¥200 overdue.
    expect(byMonth['2026-03']).toMatchObject({ dueDate: '2026-04-20', members: 1, chargesCents: 30_000, owedCents: 30_000, dueCents: 0, overdueCents: 20_000, overdueMembers: 1 });
    // May's statement is due 20 June: not overdue yet. June holds A1's ¥900 too.
    expect(byMonth['2026-05']).toMatchObject({ dueDate: '2026-06-20', members: 1, owedCents: 20_000, dueCents: 20_000, overdueCents: 0 });
    expect(byMonth['2026-06']).toMatchObject({ members: 2, chargesCents: 90_000, owedCents: 110_000, dueCents: 110_000, overdueCents: 0 });
  });

  it('card types and tiers: members per tier, cards per type and status (an untyped card is of the default type)', async () => {
    const report = await json<CardDistributionReport>('/api/reports/card-distribution?storeId=store-a');
    expect(report.tiers).toEqual([{ tier: 'standard', count: 3 }, { tier: 'gold', count: 1 }]);
    expect(report.cardTypes).toEqual([
      { cardType: 'std', label: '普通卡', total: 3, byStatus: { active: 2, lost: 1 } },
      { cardType: 'gold-card', label: '金卡', total: 1, byStatus: { active: 1 } },
    ]);
    expect(report).toMatchObject({ members: 4, cards: 4 });
    expect((await json<CardDistributionReport>('/api/reports/card-distribution?cardType=gold-card')).cardTypes).toEqual([{ cardType: 'gold-card', label: '金卡', total: 2, byStatus: { active: 2 } }]);
  });

  it('demographics: members per region, age band (on today, birthdays not yet reached) and gender', async () => {
    const east = await json<DemographicsReport>('/api/reports/demographics?regionId=east');
    expect(east.total).toBe(4);
    expect(east.byRegion).toEqual([{ regionId: 'east', name: '华东', count: 4 }]);
    // A1 born 1990-07-01 is 35 on 2026-06-15; A2 born 2000-06-15 turns 26 today; A3 is 16; A4 gave nothing.
    expect(Object.fromEntries(east.byAgeBand.map((b: { band: string; count: number }) => [b.band, b.count]))).toEqual({ '<18': 1, '18-24': 0, '25-34': 1, '35-44': 1, '45-54': 0, '55-64': 0, '65+': 0, unknown: 1 });
    expect(east.byGender).toEqual([{ gender: 'female', count: 2 }, { gender: 'male', count: 1 }, { gender: 'other', count: 0 }, { gender: 'unknown', count: 1 }]);
    const all = await json<DemographicsReport>('/api/reports/demographics');
    expect(all.byRegion).toEqual([{ regionId: 'south', name: '华南', count: 7 }, { regionId: 'east', name: '华东', count: 4 }]);
    expect(all.byAgeBand.find((b) => b.band === '65+')?.count).toBe(1);
  });

  it('gift redemptions per gift and per store in the period (refused and earlier ones left out), by the store they were made in', async () => {
    const all = await json<GiftReport>('/api/reports/gift-redemptions?from=2026-06-01&to=2026-06-16');
    expect(all.byGift).toEqual([
      { sku: 'G-BAG', name: '帆布袋', count: 1, qty: 1, points: 500 },
      { sku: 'G-MUG', name: '马克杯', count: 2, qty: 3, points: 300 },
    ]);
    expect(all.byStore).toEqual([{ storeId: 'store-b', count: 2, qty: 2, points: 600 }, { storeId: 'store-a', count: 1, qty: 2, points: 200 }]);
    expect(all.totals).toEqual({ count: 3, qty: 4, points: 800 });
    expect((await json<GiftReport>('/api/reports/gift-redemptions?from=2026-06-01&to=2026-06-16', 'managerA')).totals).toEqual({ count: 1, qty: 2, points: 200 });
    expect((await json<GiftReport>('/api/reports/gift-redemptions?from=2026-06-01&to=2026-06-16&tier=gold')).totals).toEqual({ count: 2, qty: 3, points: 700 });
  });

  it('referral ranking: most referred in the period first, with every level of referral points earned in it', async () => {
    const report = await json<ReferralReport>('/api/reports/referrals?from=2026-06-01&to=2026-06-16');
    expect(report).toMatchObject({ total: 2, referred: 4 });
    expect(report.members.map((m: { rank: number; memberId: string; referred: number; points: number }) => [m.rank, m.memberId, m.referred, m.points])).toEqual([[1, 'A1', 3, 170], [2, 'A2', 1, 50]]);
    expect((await json<ReferralReport>('/api/reports/referrals?from=2026-06-01&to=2026-06-16&pageSize=1&page=2')).members.map((m: { rank: number; memberId: string }) => [m.rank, m.memberId])).toEqual([[2, 'A2']]);
    // March counts C5 only; store B's manager has no referrers.
    expect((await json<ReferralReport>('/api/reports/referrals?from=2026-03-01&to=2026-04-01')).members.map((m: { memberId: string; points: number }) => [m.memberId, m.points])).toEqual([['A1', 50]]);
    expect((await json<ReferralReport>('/api/reports/referrals?from=2026-06-01&to=2026-06-16&storeId=store-b', 'regionSouth')).total).toBe(0);
  });

  it('exports: the dormant members as xlsx and the credit warnings as English CSV carry the JSON figures, money in yuan', async () => {
    const xlsx = await get('/api/reports/churn?days=90&storeId=store-a&format=xlsx', 'managerA');
    expect(xlsx.status).toBe(200);
    expect(xlsx.type).toContain('spreadsheetml');
    expect(xlsx.disposition).toContain('churn-90d-store-a.xlsx');
    const sheet = await sheetOf(xlsx.raw);
    expect(sheet.name).toBe('沉睡会员');
    expect(sheet.rows[0]).toEqual(['会员号', '姓名', '手机', '等级', '开卡门店', '最后消费', '未消费天数', '储值余额(元)', '积分余额']);
    expect(sheet.rows.slice(1).map((r) => [r[0], r[2], r[6], r[7]])).toEqual([['A4', '*******0004', undefined, 0], ['A3', '*******0003', 200, 124.45], ['A2', '*******0002', 100, 0]]);
    // The whole chain's export (its rows read on an export thread) holds the page's members, in the page's order.
    const page = await json<ChurnReport>('/api/reports/churn?days=90&pageSize=500');
    const chain = await sheetOf((await get('/api/reports/churn?days=90&format=xlsx', 'hq')).raw);
    expect(chain.rows.slice(1).map((r) => [r[0], r[1], r[2], r[3], r[4], r[6] ?? null, r[7], r[8]])).toEqual(
      page.members.map((m) => [m.memberId, m.name, m.phone, m.tier, m.homeStoreId, m.daysSince, m.storedValueCents / 100, m.points]),
    );
    expect(chain.rows).toHaveLength(page.total + 1);

    const csv = await get('/api/reports/credit-warnings?format=csv&lang=en', 'hq');
    expect(csv.type).toBe('text/csv; charset=utf-8');
    const lines = csv.raw.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('Member,Name,Phone,Home store,Warnings,Owed (CNY),Limit (CNY),Available (CNY),Overdue (CNY),Oldest due date');
    expect(lines[2]).toBe('B1,陈静,13900000001,store-b,"Overdue, Over limit",100,0,0,100,2025-09-20');

    const gifts = await sheetOf((await get('/api/reports/gift-redemptions?from=2026-06-01&to=2026-06-16&format=xlsx', 'hq')).raw);
    expect(gifts.rows.slice(1)).toEqual([['G-BAG', '帆布袋', 'store-b', 1, 1, 500], ['G-MUG', '马克杯', 'store-a', 1, 2, 200], ['G-MUG', '马克杯', 'store-b', 1, 1, 100]]);
  });

  it('filters: the tiers and card types of the latest rules', async () => {
    const filters = await json<unknown>('/api/reports/member-filters', 'managerA');
    expect(filters).toEqual({ tiers: DEFAULT_RULES_BUNDLE.tiers!.ladder.map((s) => s.tier), cardTypes: [{ typeId: 'std', label: '普通卡' }, { typeId: 'gold-card', label: '金卡' }], defaultCardType: 'std' });
  });
});
