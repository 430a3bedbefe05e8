/**
 * The reports' reads (reports.ts ReportReadsPort) on the PostgreSQL ledger: the queries of sqlite-report-reads.ts,
 * answering the same for the same ledger (postgres-report-reads.test.ts builds one ledger on both back ends and
 * compares every report). Each report reads in one read-only snapshot on the reports' own pool
 * (postgres-report-snapshot.ts); the consumption export streams through a cursor.
 *
 * What differs from the SQLite text, and why:
 * - json_extract is `::jsonb ->>`; the store of a transaction is POSTGRES_STORE_OF_TX, the expression the
 *   (kind, store, created_at) index of migration 7 is on. `stores` (a JSON array) is a text[] parameter.
 * - The member filter and the store filter are written only when asked for (as SQLite's store filter is): no
 *   `$n IS NULL OR …`, which keeps the planner from the indexes.
 * - SQLite sorts NULL first ascending, PostgreSQL last: NULLS FIRST where a NULL can be sorted.
 * - The hourly totals are per (store, hour, device) here (postgres-schema-v7-report-rollup.ts): summed alike.
 *
 * `postgresReportReads(url)` is what the hub opens for a PostgreSQL ledger in place of WorkerReportReads: the same
 * shape (the reports' reads, `members` for the member reports, `close`).
 */
import { POSTGRES_STORE_OF_TX } from '../ledger/postgres/postgres-schema-v7-report-rollup.ts';
import { consumptionOf, membersFiltered, type ConsumptionRecord, type RecordRow, type ReportWindow } from './consumption-records.ts';
import type { MemberReportReadsPort } from './member-reports.ts';
import { PostgresMemberReportReads } from './postgres-member-report-reads.ts';
import { inMembersSql, PostgresReportSnapshots, SqlParams } from './postgres-report-snapshot.ts';
import type { ReportReadsPort } from './reports.ts';
import type { MemberGroup, PointsFlows, TopUpGroup, TrendGroup } from './sqlite-report-reads.ts';

const STORE_OF_TX = POSTGRES_STORE_OF_TX('t');

const storesOf = (window: { stores: string | null }): string[] | null => (window.stores === null ? null : (JSON.parse(window.stores) as string[]));

const inStores = (q: SqlParams, window: ReportWindow) => {
  const stores = storesOf(window);
  return stores === null ? 'TRUE' : `${STORE_OF_TX} = ANY(${q.p(stores)}::text[])`;
};
const inWindow = (q: SqlParams, window: ReportWindow) => `t.status = 'applied' AND t.created_at >= ${q.p(window.fromIso)} AND t.created_at < ${q.p(window.toIso)}`;
const inHours = (q: SqlParams, window: ReportWindow) => {
  const stores = storesOf(window);
  return `hour >= ${q.p(window.fromIso.slice(0, 13))} AND hour < ${q.p(window.toIso.slice(0, 13))}${stores === null ? '' : ` AND store_id = ANY(${q.p(stores)}::text[])`}`;
};

/** The consumption records of the window, newest first (consumption-records.ts recordsSql). */
function recordsSql(q: SqlParams, window: ReportWindow): string {
  return `SELECT t.tx_id, t.created_at, ${STORE_OF_TX} AS store_id, p.member_id, m.name, p.record
    FROM transactions t JOIN purchases p ON p.tx_id = t.tx_id LEFT JOIN members m ON m.member_id = p.member_id
    WHERE t.kind = 'purchase' AND t.created_at >= ${q.p(window.fromIso)} AND t.created_at < ${q.p(window.toIso)} AND ${inStores(q, window)} AND ${inMembersSql(q, window, 'p.member_id')}
    ORDER BY t.created_at DESC, t.tx_id DESC`;
}

export class PostgresReportReads implements ReportReadsPort {
  constructor(private readonly snapshots: PostgresReportSnapshots) {}

  trend(window: ReportWindow, prefixLength: number): Promise<TrendGroup[]> {
    return this.snapshots.read(async (query) => {
      const q = new SqlParams();
      if (prefixLength === 13 && !membersFiltered(window)) {
        const hours = await query<{ hour: string; purchases: number; purchase_cents: number; top_ups: number; top_up_cents: number }>(
          `SELECT hour, sum(purchases) AS purchases, sum(purchase_cents) AS purchase_cents, sum(top_ups) AS top_ups, sum(top_up_cents) AS top_up_cents
           FROM report_hourly WHERE ${inHours(q, window)} GROUP BY hour ORDER BY hour`,
          q.values,
        );
        return hours.flatMap((h) => [
          ...(h.purchases > 0 ? [{ prefix: h.hour, kind: 'purchase' as const, count: h.purchases, cents: h.purchase_cents }] : []),
          ...(h.top_ups > 0 ? [{ prefix: h.hour, kind: 'top_up' as const, count: h.top_ups, cents: h.top_up_cents }] : []),
        ]);
      }
      return query<TrendGroup>(
        `SELECT substr(t.created_at, 1, ${prefixLength === 13 ? 13 : 16}) AS prefix, t.kind AS kind, count(*) AS count,
           sum(CASE t.kind WHEN 'purchase' THEN (p.record::jsonb ->> 'totalCents')::bigint ELSE (t.payload::jsonb ->> 'amountCents')::bigint END) AS cents
         FROM transactions t LEFT JOIN purchases p ON p.tx_id = t.tx_id AND t.kind = 'purchase'
         WHERE ${inWindow(q, window)} AND t.kind IN ('purchase', 'top_up') AND ${inStores(q, window)} AND ${inMembersSql(q, window, 't.member_id')}
         GROUP BY prefix, t.kind ORDER BY prefix, t.kind`,
        q.values,
      );
    });
  }

  newMembers(window: ReportWindow, prefixLength: number): Promise<MemberGroup[]> {
    return this.snapshots.read(async (query) => {
      const q = new SqlParams();
      const stores = storesOf(window);
      return query<MemberGroup>(
        `SELECT substr(m.created_at, 1, ${prefixLength === 13 ? 13 : 16}) AS prefix, count(*) AS count FROM members m
         WHERE m.created_at >= ${q.p(window.fromIso)} AND m.created_at < ${q.p(window.toIso)}
           ${stores === null ? '' : `AND m.home_store_id = ANY(${q.p(stores)}::text[])`} AND ${inMembersSql(q, window, 'm.member_id')}
         GROUP BY prefix ORDER BY prefix`,
        q.values,
      );
    });
  }

  topUps(window: ReportWindow): Promise<TopUpGroup[]> {
    return this.snapshots.read(async (query) => {
      const q = new SqlParams();
      return query<TopUpGroup>(
        `SELECT ${STORE_OF_TX} AS "storeId", ((t.payload::jsonb #>> '{actor,staffId}') COLLATE "C") AS "staffId", ((t.payload::jsonb ->> 'tender') COLLATE "C") AS tender,
           count(*) AS count, sum((t.payload::jsonb ->> 'amountCents')::bigint) AS cents
         FROM transactions t WHERE ${inWindow(q, window)} AND t.kind = 'top_up' AND ${inStores(q, window)} AND ${inMembersSql(q, window, 't.member_id')}
         GROUP BY 1, 2, 3 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST`,
        q.values,
      );
    });
  }

  /** As SqliteReportReads.pointsFlows: issued, redeemed, expired in the period; outstanding now. */
  pointsFlows(window: ReportWindow, prefixLength: number): Promise<PointsFlows> {
    return this.snapshots.read(async (query) => {
      const stores = storesOf(window);
      const o = new SqlParams();
      const [outstanding] = await query<{ outstanding: number }>(
        `SELECT COALESCE(sum(a.balance), 0) AS outstanding FROM accounts a
         ${stores === null ? '' : `JOIN members m ON m.member_id = a.member_id AND m.home_store_id = ANY(${o.p(stores)}::text[])`}
         WHERE a.account = 'points' AND ${inMembersSql(o, window, 'a.member_id')}`,
        o.values,
      );
      type Flows = Omit<PointsFlows, 'outstanding'>;
      if (prefixLength === 13 && !membersFiltered(window)) {
        const q = new SqlParams();
        const [flows] = await query<Flows>(
          `SELECT COALESCE(sum(points_issued), 0) AS issued, COALESCE(sum(points_redeemed), 0) AS redeemed, COALESCE(sum(points_expired), 0) AS expired
           FROM report_hourly WHERE ${inHours(q, window)}`,
          q.values,
        );
        return { ...flows!, outstanding: outstanding!.outstanding };
      }
      const q = new SqlParams();
      const [flows] = await query<Flows>(
        `SELECT COALESCE(sum(CASE WHEN j.amount > 0 THEN j.amount END), 0) AS issued,
           COALESCE(-sum(CASE WHEN j.amount < 0 AND t.kind <> 'points_expiry' THEN j.amount END), 0) AS redeemed,
           COALESCE(-sum(CASE WHEN j.amount < 0 AND t.kind = 'points_expiry' THEN j.amount END), 0) AS expired
         FROM journal j JOIN transactions t ON t.tx_id = j.tx_id
         WHERE j.account = 'points' AND ${inWindow(q, window)} AND (t.kind = 'points_expiry' OR ${inStores(q, window)}) AND ${inMembersSql(q, window, 'j.member_id')}`,
        q.values,
      );
      if (stores === null) return { ...flows!, outstanding: outstanding!.outstanding };
      // The expiry sweep is HQ's (no store of the member's): counted for a store by the member's home store.
      const e = new SqlParams();
      const [scoped] = await query<{ expired: number }>(
        `SELECT COALESCE(-sum(j.amount), 0) AS expired FROM journal j JOIN transactions t ON t.tx_id = j.tx_id JOIN members m ON m.member_id = j.member_id
         WHERE j.account = 'points' AND j.amount < 0 AND t.kind = 'points_expiry' AND ${inWindow(e, window)}
           AND m.home_store_id = ANY(${e.p(stores)}::text[]) AND ${inMembersSql(e, window, 'j.member_id')}`,
        e.values,
      );
      return { ...flows!, expired: scoped!.expired, outstanding: outstanding!.outstanding };
    });
  }

  /** A page of consumption records, newest first, and how many there are in all (one snapshot: they agree). */
  consumption(window: ReportWindow, prefixLength: number, offset: number, limit: number): Promise<{ total: number; records: ConsumptionRecord[] }> {
    return this.snapshots.read(async (query) => {
      const c = new SqlParams();
      const [count] =
        prefixLength === 13 && !membersFiltered(window)
          ? await query<{ total: number }>(`SELECT COALESCE(sum(purchases), 0) AS total FROM report_hourly WHERE ${inHours(c, window)}`, c.values)
          : await query<{ total: number }>(
              `SELECT count(*) AS total FROM transactions t WHERE ${inWindow(c, window)} AND t.kind = 'purchase' AND ${inStores(c, window)} AND ${inMembersSql(c, window, 't.member_id')}`,
              c.values,
            );
      const q = new SqlParams();
      const sql = `${recordsSql(q, window)} LIMIT ${q.p(limit)} OFFSET ${q.p(offset)}`;
      const rows = await query<RecordRow>(sql, q.values);
      return { total: count!.total, records: rows.map((row) => consumptionOf(row, window.timezone)) };
    });
  }

  /** Every consumption record of the window, newest first, through a cursor (an export: read as the client takes it). */
  async *consumptionRows(window: ReportWindow): AsyncGenerator<ConsumptionRecord> {
    const q = new SqlParams();
    const sql = recordsSql(q, window);
    for await (const row of this.snapshots.rows<RecordRow>(sql, q.values)) yield consumptionOf(row, window.timezone);
  }
}

/** What the hub holds for a PostgreSQL ledger's reports, shaped as WorkerReportReads. */
export interface PostgresReportReadsHandle extends ReportReadsPort {
  members: MemberReportReadsPort;
  close(): Promise<void>;
}

/** The reports' reads on the PostgreSQL ledger at `url`, on a pool of their own (`poolSize` connections). */
export function postgresReportReads(url: string, poolSize = 4): PostgresReportReadsHandle {
  const snapshots = new PostgresReportSnapshots(url, poolSize);
  const reads = new PostgresReportReads(snapshots);
  return {
    trend: (w, p) => reads.trend(w, p),
    newMembers: (w, p) => reads.newMembers(w, p),
    topUps: (w) => reads.topUps(w),
    pointsFlows: (w, p) => reads.pointsFlows(w, p),
    consumption: (w, p, o, l) => reads.consumption(w, p, o, l),
    consumptionRows: (w) => reads.consumptionRows(w),
    members: new PostgresMemberReportReads(snapshots),
    close: () => snapshots.close(),
  };
}
