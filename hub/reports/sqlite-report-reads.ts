/**
 * The reports' reads on the ledger's SQLite file, through their own read-only connections: a long report or an
 * export never holds the ledger's writing connection (better-sqlite3 is synchronous, and an open iterator keeps
 * its connection busy), and WAL lets readers run beside the writer. Sums and groups are SQL's; only a period's
 * groups (an hour of a store at most) come back to JavaScript, where the time zone makes them local buckets.
 *
 * The store of a transaction is its payload's `storeId` (as the fee and commission reports read it); the
 * members of a store are those it registered (members.home_store_id). `stores` is a JSON array of store ids, or
 * null for every store.
 *
 * Sums over a period come from the ledger's hourly totals per store (report_hourly, kept by a trigger in the same
 * database transaction as each transaction row: schema-report-rollup.ts) when the zone's offsets over the period are
 * whole hours (`hours: 13`, report-period.ts sqlTimePrefix), which is every zone a chain in China uses; a zone with
 * half-hour offsets reads the transactions themselves. Lists (the consumption records, top-ups by staff member) read
 * the transactions by the schema 8 index on (kind, store, created_at) (schema-console-features.ts).
 */
import type { Database as Db } from 'better-sqlite3';
import { openReportConnection } from './report-connection.ts';
import { consumptionOf, IN_WINDOW, inHours, inMembers, inStores, membersFiltered, recordsSql, STORE_OF_TX, type ConsumptionRecord, type RecordRow, type ReportWindow } from './consumption-records.ts';

export type { ConsumptionRecord, ReportWindow } from './consumption-records.ts';
import { consumptionRowsFromWorker } from './rows-from-worker.ts';

export interface TrendGroup { prefix: string; kind: 'purchase' | 'top_up'; count: number; cents: number }
export interface MemberGroup { prefix: string; count: number }
export interface TopUpGroup { storeId: string; staffId: string | null; tender: string; count: number; cents: number }
export interface PointsFlows { issued: number; redeemed: number; expired: number; outstanding: number }

export class SqliteReportReads {
  private db: Db | null = null;

  constructor(private readonly path: string) {}

  private open(): Db {
    this.db ??= openReportConnection(this.path);
    return this.db;
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  /** Purchases (their record's total) and top-ups (their amount), counted and summed per UTC time prefix. */
  trend(window: ReportWindow, prefixLength: number): TrendGroup[] {
    if (prefixLength === 13 && !membersFiltered(window)) {
      const hours = this.open()
        .prepare(
          `SELECT hour, sum(purchases) AS purchases, sum(purchase_cents) AS purchaseCents, sum(top_ups) AS topUps, sum(top_up_cents) AS topUpCents
           FROM report_hourly WHERE ${inHours(window)} GROUP BY hour ORDER BY hour`,
        )
        .all(window) as { hour: string; purchases: number; purchaseCents: number; topUps: number; topUpCents: number }[];
      return hours.flatMap((h) => [
        ...(h.purchases > 0 ? [{ prefix: h.hour, kind: 'purchase' as const, count: h.purchases, cents: h.purchaseCents }] : []),
        ...(h.topUps > 0 ? [{ prefix: h.hour, kind: 'top_up' as const, count: h.topUps, cents: h.topUpCents }] : []),
      ]);
    }
    return this.open()
      .prepare(
        `SELECT substr(t.created_at, 1, ${prefixLength}) AS prefix, t.kind AS kind, count(*) AS count,
           sum(CASE t.kind WHEN 'purchase' THEN json_extract(p.record, '$.totalCents') ELSE json_extract(t.payload, '$.amountCents') END) AS cents
         FROM transactions t LEFT JOIN purchases p ON p.tx_id = t.tx_id AND t.kind = 'purchase'
         WHERE ${IN_WINDOW} AND t.kind IN ('purchase', 'top_up') AND ${inStores(window)} AND ${inMembers(window, 't.member_id')}
         GROUP BY prefix, t.kind ORDER BY prefix`,
      )
      .all(window) as TrendGroup[];
  }

  newMembers(window: ReportWindow, prefixLength: number): MemberGroup[] {
    return this.open()
      .prepare(
        `SELECT substr(m.created_at, 1, ${prefixLength}) AS prefix, count(*) AS count FROM members m
         WHERE m.created_at >= @fromIso AND m.created_at < @toIso AND (@stores IS NULL OR m.home_store_id IN (SELECT value FROM json_each(@stores)))
           AND ${inMembers(window, 'm.member_id')}
         GROUP BY prefix ORDER BY prefix`,
      )
      .all(window) as MemberGroup[];
  }

  topUps(window: ReportWindow): TopUpGroup[] {
    return this.open()
      .prepare(
        `SELECT ${STORE_OF_TX} AS storeId, json_extract(t.payload, '$.actor.staffId') AS staffId, json_extract(t.payload, '$.tender') AS tender,
           count(*) AS count, sum(json_extract(t.payload, '$.amountCents')) AS cents
         FROM transactions t WHERE ${IN_WINDOW} AND t.kind = 'top_up' AND ${inStores(window)} AND ${inMembers(window, 't.member_id')}
         GROUP BY storeId, staffId, tender ORDER BY storeId, staffId, tender`,
      )
      .all(window) as TopUpGroup[];
  }

  /**
   * Points moved in the period by the transactions of the stores (issued: every credit to a lot; expired: the
   * expiry sweep's debits; redeemed: every other debit), and outstanding: the points balances now of the
   * members the stores registered (all members' for every store).
   */
  pointsFlows(window: ReportWindow, prefixLength: number): PointsFlows {
    const db = this.open();
    const outstanding = (
      db
        .prepare(
          `SELECT COALESCE(sum(a.balance), 0) AS outstanding FROM accounts a
           ${window.stores === null ? '' : 'JOIN members m ON m.member_id = a.member_id AND m.home_store_id IN (SELECT value FROM json_each(@stores))'}
           WHERE a.account = 'points' AND ${inMembers(window, 'a.member_id')}`,
        )
        .get(window) as { outstanding: number }
    ).outstanding;
    if (prefixLength === 13 && !membersFiltered(window)) {
      const flows = db
        .prepare(
          `SELECT COALESCE(sum(points_issued), 0) AS issued, COALESCE(sum(points_redeemed), 0) AS redeemed, COALESCE(sum(points_expired), 0) AS expired
           FROM report_hourly WHERE ${inHours(window)}`,
        )
        .get(window) as Omit<PointsFlows, 'outstanding'>;
      return { ...flows, outstanding };
    }
    const flows = db
      .prepare(
        `SELECT COALESCE(sum(CASE WHEN j.amount > 0 THEN j.amount END), 0) AS issued,
           COALESCE(-sum(CASE WHEN j.amount < 0 AND t.kind <> 'points_expiry' THEN j.amount END), 0) AS redeemed,
           COALESCE(-sum(CASE WHEN j.amount < 0 AND t.kind = 'points_expiry' THEN j.amount END), 0) AS expired
         FROM journal j JOIN transactions t ON t.tx_id = j.tx_id
         WHERE j.account = 'points' AND ${IN_WINDOW} AND (t.kind = 'points_expiry' OR ${inStores(window)}) AND ${inMembers(window, 'j.member_id')}`,
      )
      .get(window) as Omit<PointsFlows, 'outstanding'>;
    // The expiry sweep is HQ's (no store of the member's): counted for a store by the member's home store.
    const scopedExpired =
      window.stores === null
        ? flows.expired
        : ((
            db
              .prepare(
                `SELECT COALESCE(-sum(j.amount), 0) AS expired FROM journal j JOIN transactions t ON t.tx_id = j.tx_id JOIN members m ON m.member_id = j.member_id
                 WHERE j.account = 'points' AND j.amount < 0 AND t.kind = 'points_expiry' AND ${IN_WINDOW}
                   AND m.home_store_id IN (SELECT value FROM json_each(@stores)) AND ${inMembers(window, 'j.member_id')}`,
              )
              .get(window) as { expired: number }
          ).expired);
    return { ...flows, expired: scopedExpired, outstanding };
  }

  /** A page of consumption records, newest first, and how many there are in all. */
  consumption(window: ReportWindow, prefixLength: number, offset: number, limit: number): { total: number; records: ConsumptionRecord[] } {
    const db = this.open();
    const { total } = (
      prefixLength === 13 && !membersFiltered(window)
        ? db.prepare(`SELECT COALESCE(sum(purchases), 0) AS total FROM report_hourly WHERE ${inHours(window)}`).get(window)
        : db.prepare(`SELECT count(*) AS total FROM transactions t WHERE ${IN_WINDOW} AND t.kind = 'purchase' AND ${inStores(window)} AND ${inMembers(window, 't.member_id')}`).get(window)
    ) as { total: number };
    const rows = db.prepare(`${recordsSql(window)} LIMIT @limit OFFSET @offset`).all({ ...window, limit, offset }) as RecordRow[];
    return { total, records: rows.map((row) => consumptionOf(row, window.timezone)) };
  }

  /**
   * Every consumption record of the window, newest first, read on a worker thread of its own that stops when the
   * iteration ends or is abandoned (an export: the reader waits for a slow client between batches).
   */
  consumptionRows(window: ReportWindow): AsyncIterable<ConsumptionRecord> {
    return consumptionRowsFromWorker(this.path, window);
  }
}
