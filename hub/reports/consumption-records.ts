/**
 * Consumption records (消费记录), the purchases the ledger applied, as the consumption report pages them and the
 * export streams them (sqlite-report-reads.ts on the hub's thread, export-rows-worker.ts on the export's own): the
 * one SQL and the one mapping from a row to a record, so a page and an export always say the same.
 */
import type { PurchaseRecord } from '../../core/ledger/types.ts';
import { localDateTime } from './report-period.ts';

/** One consumption record (消费记录): a purchase the ledger applied. */
export interface ConsumptionRecord {
  txId: string;
  createdAt: string;
  /** createdAt as local wall time in the report's zone, "YYYY-MM-DD HH:mm:ss" (what a spreadsheet shows). */
  localTime: string;
  storeId: string;
  memberId: string;
  memberName: string | null;
  totalCents: number;
  storedValueCents: number;
  cashCents: number;
  pointsEarned: number;
}

/**
 * A report's period, stores (a JSON array, null: every store), the zone its local times are in, and the members
 * it counts: of a tier, holding a card of a card type (null: any; `cardTypeIsDefault` 1 when the type is the rules'
 * default, which cards without a type are).
 */
export interface ReportWindow {
  fromIso: string;
  toIso: string;
  stores: string | null;
  timezone: string;
  tier: string | null;
  cardType: string | null;
  cardTypeIsDefault: 0 | 1;
}

/** Whether the window counts only some members: the hourly totals are per store, so such a report reads the rows. */
export const membersFiltered = (window: ReportWindow) => window.tier !== null || window.cardType !== null;

/** The member filter on the member id `memberId` (a column), as the member reports filter (a member's tier now). */
export const inMembers = (window: ReportWindow, memberId: string) =>
  membersFiltered(window)
    ? `EXISTS (SELECT 1 FROM members fm WHERE fm.member_id = ${memberId} AND (@tier IS NULL OR fm.tier = @tier)
        AND (@cardType IS NULL OR EXISTS (SELECT 1 FROM cards fc WHERE fc.member_id = fm.member_id AND (fc.card_type = @cardType OR (@cardTypeIsDefault = 1 AND fc.card_type IS NULL)))))`
    : '1';

export const STORE_OF_TX = "json_extract(t.payload, '$.storeId')";
// Each condition is written for the window it is asked for: "@stores IS NULL OR …" would keep SQLite from seeking
// the (kind, store, created_at) index and the totals' (store_id, hour) key by store.
export const inStores = (window: ReportWindow) => (window.stores === null ? '1' : `${STORE_OF_TX} IN (SELECT value FROM json_each(@stores))`);
export const IN_WINDOW = "t.status = 'applied' AND t.created_at >= @fromIso AND t.created_at < @toIso";
/** The hourly totals of the window's hours and stores ('' is a transaction of no store's: counted for every store only). */
export const inHours = (window: ReportWindow) =>
  `hour >= substr(@fromIso, 1, 13) AND hour < substr(@toIso, 1, 13)${window.stores === null ? '' : ' AND store_id IN (SELECT value FROM json_each(@stores))'}`;

export interface RecordRow { tx_id: string; created_at: string; store_id: string; member_id: string; name: string | null; record: string }

export function consumptionOf(row: RecordRow, timezone: string): ConsumptionRecord {
  const record = JSON.parse(row.record) as PurchaseRecord;
  return {
    txId: row.tx_id,
    createdAt: row.created_at,
    localTime: localDateTime(row.created_at, timezone),
    storeId: row.store_id,
    memberId: row.member_id,
    memberName: row.name,
    totalCents: record.totalCents,
    storedValueCents: record.tenders.storedValueCents + record.tenders.bonusValueCents,
    cashCents: record.tenders.cashCents,
    pointsEarned: record.lines.reduce((sum, line) => sum + line.points, 0),
  };
}

/**
 * A purchase record exists only for a purchase the ledger applied (the write port writes it with the effects), so
 * the join stands for `status = 'applied'`; without that column every column read here is in the
 * (kind, created_at, tx_id, store) index, and the transactions' own rows (their payloads and results, most of the
 * file) are never read.
 */
export const recordsSql = (window: ReportWindow) => `SELECT t.tx_id, t.created_at, ${STORE_OF_TX} AS store_id, p.member_id, m.name, p.record
  FROM transactions t JOIN purchases p ON p.tx_id = t.tx_id LEFT JOIN members m ON m.member_id = p.member_id
  WHERE t.kind = 'purchase' AND t.created_at >= @fromIso AND t.created_at < @toIso AND ${inStores(window)} AND ${inMembers(window, 'p.member_id')}
  ORDER BY t.created_at DESC, t.tx_id DESC`;
