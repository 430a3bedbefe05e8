/**
 * The reports on PostgreSQL answer what they answer on SQLite: one history (hub/testing/report-ledger.ts) applied
 * through the ledger API to a real SQLite file and a real PostgreSQL database (hub/testing/start-postgres.ts), then
 * every report — trend, new members, top-ups, points flows, consumption paged and streamed, and the member reports
 * (churn and its export rows, credit warnings and statements, cards, demographics, gifts, referrals) — asked of
 * both for the whole chain, each store, a tier and a card type, and compared whole. Each report is also checked to
 * have counted something, so equal answers cannot be two empty ones. Then the same in a zone with half-hour offsets,
 * which reads the transactions instead of the hourly totals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { REPORT_BUNDLE, REPORT_STORE_B, writeReportLedger } from '../testing/report-ledger.ts';
import { createMemberReports, type MemberReportReadsPort, type MemberReports } from './member-reports.ts';
import { postgresReportReads, type PostgresReportReadsHandle } from './postgres-report-reads.ts';
import { PostgresReportSnapshots } from './postgres-report-snapshot.ts';
import { createReports, type ReportFilter, type ReportReadsPort, type Reports } from './reports.ts';
import { SqliteMemberReportReads } from './sqlite-member-report-reads.ts';
import { SqliteReportReads } from './sqlite-report-reads.ts';

const logger = pino({ level: 'silent' });
const NOW = Date.parse('2026-11-20T04:00:00.000Z');
const ALL = ['*'];

interface Side {
  ledger: Ledger;
  reads: ReportReadsPort;
  reports: Reports;
  members: MemberReports;
}

function side(ledger: Ledger, reads: ReportReadsPort, memberReads: MemberReportReadsPort): Side {
  const reports = createReports({ reads, rules: ledger });
  return { ledger, reads, reports, members: createMemberReports({ reads: memberReads, reports, rules: ledger, now: () => NOW }) };
}

/** SQLite's member reads as the port: its churn export rows are a generator, read here as an async one. */
function sqliteMemberPort(m: SqliteMemberReportReads): MemberReportReadsPort {
  return {
    churnCounts: (...a) => m.churnCounts(...a),
    churnPage: (...a) => m.churnPage(...a),
    tierCounts: (...a) => m.tierCounts(...a),
    cardCounts: (...a) => m.cardCounts(...a),
    demographics: (...a) => m.demographics(...a),
    gifts: (...a) => m.gifts(...a),
    referralTotals: (...a) => m.referralTotals(...a),
    referralPage: (...a) => m.referralPage(...a),
    memberCredits: (...a) => m.memberCredits(...a),
    async *churnRows(w, sinceIso) {
      yield* m.churnRows(w, sinceIso);
    },
  };
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

/** Every report of the filter, as one object to compare. */
async function everyReport(s: Side, filter: Omit<ReportFilter, 'from' | 'to'>) {
  const period = { from: '2026-10-01', to: '2026-11-20', ...filter };
  const consumptionAll = await s.reports.consumption({ ...period, page: 1, pageSize: 1_000 }, ALL);
  const { window } = await s.reports.scope(period, ALL);
  return {
    trendDay: await s.reports.trend({ ...period, grain: 'day' }, ALL),
    trendMonth: await s.reports.trend({ ...period, grain: 'month' }, ALL),
    newMembers: await s.reports.newMembers({ ...period, grain: 'week' }, ALL),
    liability: await s.reports.pointsLiability(period, ALL),
    // Staff ids are made per ledger (the demo seeding's): the manager's is named alike on both.
    topUps: await s.reports.topUps(period, ALL).then((t) => ({ ...t, byStaff: t.byStaff.map((b) => ({ ...b, staffId: b.staffId === null ? null : 'the manager' })) })),
    page1: await s.reports.consumption({ ...period, page: 1, pageSize: 7 }, ALL),
    page3: await s.reports.consumption({ ...period, page: 3, pageSize: 7 }, ALL),
    consumptionAll,
    streamed: await collect(s.reports.consumptionRows(window)),
    churn: await s.members.churn({ ...filter, page: 1, pageSize: 5, days: 10 }, ALL),
    churnPage2: await s.members.churn({ ...filter, page: 2, pageSize: 5, days: 10 }, ALL),
    churnRows: await collect((await s.members.churnRows({ ...filter, days: 10 }, ALL)).rows),
    creditWarnings: await s.members.creditWarnings(filter, ALL),
    creditStatements: await s.members.creditStatements(period, ALL),
    cards: await s.members.cardDistribution(filter, ALL),
    demographics: await s.members.demographics(filter, ALL),
    gifts: await s.members.gifts(period, ALL),
    referrals: await s.members.referrals({ ...period, page: 1, pageSize: 10 }, ALL),
  };
}

describe('the reports on PostgreSQL and SQLite, one history', { timeout: 120_000 }, () => {
  let dir: string;
  let sqlite: Side;
  let postgres: Side;
  let pgReads: PostgresReportReadsHandle;
  let url: string;
  const closers: (() => unknown)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-report-reads-'));
    const path = join(dir, 'ledger.sqlite');
    url = await freshMigratedPostgresDatabase('reports');
    const onSqlite = await openLedger({ kind: 'sqlite', path, logger, fallbackBundle: DEFAULT_RULES_BUNDLE });
    const onPostgres = await openLedger({ kind: 'postgres', url, logger, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 });
    closers.push(() => onSqlite.close(), () => onPostgres.close());
    const [a, b] = [await writeReportLedger(onSqlite), await writeReportLedger(onPostgres)];
    // The same history on both: every transaction's outcome alike (ids fixed by the builder).
    expect(b.map((r) => [r.id, r.status, r.code])).toEqual(a.map((r) => [r.id, r.status, r.code]));
    expect(a.filter((r) => r.status !== 'applied')).toEqual([]);
    const sqliteReads = new SqliteReportReads(path);
    const sqliteMembers = new SqliteMemberReportReads(path);
    pgReads = postgresReportReads(url);
    closers.push(() => sqliteReads.close(), () => sqliteMembers.close(), () => pgReads.close());
    sqlite = side(onSqlite, sqliteReads, sqliteMemberPort(sqliteMembers));
    postgres = side(onPostgres, pgReads, pgReads.members);
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await stopPostgres();
    rmSync(dir, { recursive: true, force: true });
  });

  const filters: [string, Omit<ReportFilter, 'from' | 'to'>][] = [
    ['the whole chain', {}],
    ['the demo store', { storeId: DEMO_STORE_ID }],
    ['the second store', { storeId: REPORT_STORE_B }],
    ['gold-tier members', { tier: 'gold' }],
    ['members with a card of the default type', { cardType: 'std' }],
  ];

  it.each(filters)('answers every report alike for %s', async (_name, filter) => {
    const [s, p] = [await everyReport(sqlite, filter), await everyReport(postgres, filter)];
    expect(p).toEqual(s);
    if (filter.tier === undefined && filter.storeId !== REPORT_STORE_B) expect(s.topUps.count).toBeGreaterThan(0);
    expect(s.trendDay.totals.salesCount).toBeGreaterThan(0);
    expect(s.consumptionAll.total).toBe(s.consumptionAll.records.length);
    expect(s.streamed).toEqual(s.consumptionAll.records);
    expect(s.page1.records).toEqual(s.consumptionAll.records.slice(0, 7));
    expect(s.page3.records).toEqual(s.consumptionAll.records.slice(14, 21));
    expect(s.churnRows.length).toBe(s.churn.total);
  });

  it('has counted something in every report of the whole chain (equal answers are not two empty ones)', async () => {
    const s = await everyReport(postgres, {});
    expect(s.trendDay.totals.topUpCount).toBeGreaterThan(20);
    expect(s.newMembers.total).toBeGreaterThan(3);
    expect(s.liability.issued).toBeGreaterThan(0);
    expect(s.liability.redeemed).toBeGreaterThan(0);
    expect(s.topUps.byTender.length).toBe(2);
    expect(s.consumptionAll.total).toBeGreaterThan(50);
    expect(s.churn.counts.total).toBeGreaterThan(4);
    expect(s.creditWarnings.membersWithCredit).toBe(1);
    expect(s.creditStatements.months.length).toBeGreaterThan(0);
    expect(s.cards.cards).toBeGreaterThan(4);
    expect(s.demographics.byGender.find((g) => g.gender === 'female')?.count).toBe(1);
    expect(s.gifts.totals.count).toBeGreaterThan(0);
    expect(s.referrals.referred).toBeGreaterThan(0);
    // The default rules award no referral points: the ranking's points are compared (0 on both), not exercised.
    expect(s.referrals.members[0]?.memberId).toBe('M0003');
  });

  it('answers alike in a zone with half-hour offsets, where the reports read the transactions, not the hourly totals', async () => {
    const kolkata = { ...REPORT_BUNDLE, version: 3, timezone: 'Asia/Kolkata' };
    await sqlite.ledger.saveRulesBundle(kolkata);
    await postgres.ledger.saveRulesBundle(kolkata);
    for (const [, filter] of filters.slice(0, 3)) {
      const [s, p] = [await everyReport(sqlite, filter), await everyReport(postgres, filter)];
      expect(s.trendDay.timezone).toBe('Asia/Kolkata');
      expect(p).toEqual(s);
    }
  });

  it('refuses a report that runs past its time REPORT_TIMEOUT, the server stopping its statement', async () => {
    const snapshots = new PostgresReportSnapshots(url, 1, 100);
    try {
      await expect(snapshots.read((query) => query('SELECT pg_sleep(5)', []))).rejects.toMatchObject({ code: 'REPORT_TIMEOUT' });
      // The connection is usable again: the next report on the one-connection pool answers.
      expect(await snapshots.read((query) => query<{ one: number }>('SELECT 1 AS one', []))).toEqual([{ one: 1 }]);
    } finally {
      await snapshots.close();
    }
  });

  it('stops a streamed export it no longer reads, freeing its connection', async () => {
    const { window } = await postgres.reports.scope({ from: '2026-10-01', to: '2026-11-20' }, ALL);
    // More abandoned exports than the reports' pool has connections: each must give its connection back.
    for (let i = 0; i < 6; i++) {
      for await (const record of pgReads.consumptionRows(window)) {
        expect(record.txId).toMatch(/^01/);
        break;
      }
    }
    const page = await postgres.reports.consumption({ from: '2026-10-01', to: '2026-11-20', page: 1, pageSize: 1 }, ALL);
    expect(page.records).toHaveLength(1);
  });
});
