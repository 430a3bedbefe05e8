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
 * Indexes: the ledger has none on transactions(created_at) nor on journal(tx_id) (schema.ts); a period's reads
 * scan the transactions table once (as the commission report does), the points flows scan the points journal.
 */
import Database, { type Database as Db } from 'better-sqlite3';
import type { PurchaseRecord } from '../../core/ledger/types.ts';

export interface TrendGroup { prefix: string; kind: 'purchase' | 'top_up'; count: number; cents: number }
export interface MemberGroup { prefix: string; count: number }
export interface TopUpGroup { storeId: string; staffId: string | null; tender: string; count: number; cents: number }
export interface PointsFlows { issued: number; redeemed: number; expired: number; outstanding: number }

/** One consumption record (消费记录): a purchase the ledger applied. */
export interface ConsumptionRecord {
  txId: string;
  createdAt: string;
  storeId: string;
  memberId: string;
  memberName: string | null;
  totalCents: number;
  storedValueCents: number;
  cashCents: number;
  pointsEarned: number;
}

export interface ReportWindow { fromIso: string; toIso: string; stores: string | null }

const STORE_OF_TX = "json_extract(t.payload, '$.storeId')";
const IN_STORES = `(@stores IS NULL OR ${STORE_OF_TX} IN (SELECT value FROM json_each(@stores)))`;
const IN_WINDOW = "t.status = 'applied' AND t.created_at >= @fromIso AND t.created_at < @toIso";

interface RecordRow { tx_id: string; created_at: string; store_id: string; member_id: string; name: string | null; record: string }

function consumptionOf(row: RecordRow): ConsumptionRecord {
  const record = JSON.parse(row.record) as PurchaseRecord;
  return {
    txId: row.tx_id,
    createdAt: row.created_at,
    storeId: row.store_id,
    memberId: row.member_id,
    memberName: row.name,
    totalCents: record.totalCents,
    storedValueCents: record.tenders.storedValueCents + record.tenders.bonusValueCents,
    cashCents: record.tenders.cashCents,
    pointsEarned: record.lines.reduce((sum, line) => sum + line.points, 0),
  };
}

const RECORDS_SQL = `SELECT t.tx_id, t.created_at, ${STORE_OF_TX} AS store_id, p.member_id, m.name, p.record
  FROM transactions t JOIN purchases p ON p.tx_id = t.tx_id LEFT JOIN members m ON m.member_id = p.member_id
  WHERE ${IN_WINDOW} AND t.kind = 'purchase' AND ${IN_STORES}
  ORDER BY t.created_at DESC, t.tx_id DESC`;

export class SqliteReportReads {
  private db: Db | null = null;

  constructor(private readonly path: string) {}

  private open(): Db {
    if (!this.db) {
      this.db = new Database(this.path, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 5000');
    }
    return this.db;
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  /** Purchases (their record's total) and top-ups (their amount), counted and summed per UTC time prefix. */
  trend(window: ReportWindow, prefixLength: number): TrendGroup[] {
    return this.open()
      .prepare(
        `SELECT substr(t.created_at, 1, ${prefixLength}) AS prefix, t.kind AS kind, count(*) AS count,
           sum(CASE t.kind WHEN 'purchase' THEN json_extract(p.record, '$.totalCents') ELSE json_extract(t.payload, '$.amountCents') END) AS cents
         FROM transactions t LEFT JOIN purchases p ON p.tx_id = t.tx_id AND t.kind = 'purchase'
         WHERE ${IN_WINDOW} AND t.kind IN ('purchase', 'top_up') AND ${IN_STORES}
         GROUP BY prefix, t.kind ORDER BY prefix`,
      )
      .all(window) as TrendGroup[];
  }

  newMembers(window: ReportWindow, prefixLength: number): MemberGroup[] {
    return this.open()
      .prepare(
        `SELECT substr(created_at, 1, ${prefixLength}) AS prefix, count(*) AS count FROM members
         WHERE created_at >= @fromIso AND created_at < @toIso AND (@stores IS NULL OR home_store_id IN (SELECT value FROM json_each(@stores)))
         GROUP BY prefix ORDER BY prefix`,
      )
      .all(window) as MemberGroup[];
  }

  topUps(window: ReportWindow): TopUpGroup[] {
    return this.open()
      .prepare(
        `SELECT ${STORE_OF_TX} AS storeId, json_extract(t.payload, '$.actor.staffId') AS staffId, json_extract(t.payload, '$.tender') AS tender,
           count(*) AS count, sum(json_extract(t.payload, '$.amountCents')) AS cents
         FROM transactions t WHERE ${IN_WINDOW} AND t.kind = 'top_up' AND ${IN_STORES}
         GROUP BY storeId, staffId, tender ORDER BY storeId, staffId, tender`,
      )
      .all(window) as TopUpGroup[];
  }

  /**
   * Points moved in the period by the transactions of the stores (issued: every credit to a lot; expired: the
   * expiry sweep's debits; redeemed: every other debit), and outstanding: the points balances now of the
   * members the stores registered (all members' for every store).
   */
  pointsFlows(window: ReportWindow): PointsFlows {
    const db = this.open();
    const flows = db
      .prepare(
        `SELECT COALESCE(sum(CASE WHEN j.amount > 0 THEN j.amount END), 0) AS issued,
           COALESCE(-sum(CASE WHEN j.amount < 0 AND t.kind <> 'points_expiry' THEN j.amount END), 0) AS redeemed,
           COALESCE(-sum(CASE WHEN j.amount < 0 AND t.kind = 'points_expiry' THEN j.amount END), 0) AS expired
         FROM journal j JOIN transactions t ON t.tx_id = j.tx_id
         WHERE j.account = 'points' AND ${IN_WINDOW} AND (t.kind = 'points_expiry' OR ${IN_STORES})`,
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
                   AND m.home_store_id IN (SELECT value FROM json_each(@stores))`,
              )
              .get(window) as { expired: number }
          ).expired);
    const outstanding = db
      .prepare(
        `SELECT COALESCE(sum(a.balance), 0) AS outstanding FROM accounts a
         ${window.stores === null ? '' : 'JOIN members m ON m.member_id = a.member_id AND m.home_store_id IN (SELECT value FROM json_each(@stores))'}
         WHERE a.account = 'points'`,
      )
      .get(window.stores === null ? {} : { stores: window.stores }) as { outstanding: number };
    return { ...flows, expired: scopedExpired, outstanding: outstanding.outstanding };
  }

  /** A page of consumption records, newest first, and how many there are in all. */
  consumption(window: ReportWindow, offset: number, limit: number): { total: number; records: ConsumptionRecord[] } {
    const db = this.open();
    const { total } = db
      .prepare(`SELECT count(*) AS total FROM transactions t WHERE ${IN_WINDOW} AND t.kind = 'purchase' AND ${IN_STORES}`)
      .get(window) as { total: number };
    const rows = db.prepare(`${RECORDS_SQL} LIMIT @limit OFFSET @offset`).all({ ...window, limit, offset }) as RecordRow[];
    return { total, records: rows.map(consumptionOf) };
  }

  /**
   * Every consumption record of the window, newest first, read on a connection of its own that closes when the
   * iteration ends or is abandoned (an export: the reader waits for a slow client between rows).
   */
  *consumptionRows(window: ReportWindow): Generator<ConsumptionRecord> {
    const db = new Database(this.path, { readonly: true, fileMustExist: true });
    try {
      for (const row of db.prepare(RECORDS_SQL).iterate(window) as IterableIterator<RecordRow>) yield consumptionOf(row);
    } finally {
      db.close();
    }
  }
}
