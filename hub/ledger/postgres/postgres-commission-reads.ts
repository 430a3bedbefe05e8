/**
 * The commission port (../../commission/commission-reads.ts) on the PostgreSQL ledger: the queries and rules of
 * ../../commission/sqlite-commission-reads.ts (a sale's staff member is the purchase record's verified `servedBy`, a
 * staff transaction's the payload's `actor.staffId`, net cents from the purchase record, a fee from fee_charges),
 * the three reads in one read-only snapshot so a report never sees a refund without its sale. json_extract is
 * `::jsonb ->>` here; both answer NULL for a missing key and for JSON null alike.
 */
import type pg from 'pg';
import type { CommissionSource, SoldLine } from '../../../core/commission/commission-items.ts';
import type { PurchaseRecord } from '../../../core/ledger/types.ts';
import type { CommissionReads } from '../../commission/commission-reads.ts';

interface Payload {
  storeId: string;
  bundleVersion: number;
  actor?: { staffId: string };
  lines?: { lineNo: number; category: string; qty: number }[];
  lineNos?: number[];
  amountCents?: number;
}

interface SaleRow { payload: string; bundle_version: number | null; record: string }
interface RefundRow { refund: string; sale: string; bundle_version: number | null; record: string }
interface StaffRow { kind: string; payload: string; bundle_version: number | null; fee_cents: number }

const IN_PERIOD = "t.status = 'applied' AND t.created_at >= $1 AND t.created_at < $2";
const SALES = `SELECT t.payload, t.bundle_version, p.record FROM transactions t JOIN purchases p ON p.tx_id = t.tx_id
  WHERE ${IN_PERIOD} AND t.kind = 'purchase' AND (p.record::jsonb ->> 'servedBy') IS NOT NULL
  ORDER BY t.created_at, t.tx_id`;
const REFUNDS = `SELECT t.payload AS refund, o.payload AS sale, o.bundle_version, p.record FROM transactions t
  JOIN transactions o ON o.tx_id = (t.payload::jsonb ->> 'purchaseTxId')
  JOIN purchases p ON p.tx_id = o.tx_id
  WHERE ${IN_PERIOD} AND t.kind = 'refund' AND (p.record::jsonb ->> 'servedBy') IS NOT NULL
  ORDER BY t.created_at, t.tx_id`;
const STAFF_WORK = `SELECT t.kind, t.payload, t.bundle_version, (SELECT COALESCE(SUM(f.cents), 0) FROM fee_charges f WHERE f.tx_id = t.tx_id) AS fee_cents
  FROM transactions t
  WHERE ${IN_PERIOD} AND t.kind NOT IN ('purchase', 'refund') AND (t.payload::jsonb #>> '{actor,staffId}') IS NOT NULL
  ORDER BY t.created_at, t.tx_id`;

/** The sale's lines: category and quantity as sold, net cents as the ledger priced them. */
function soldLines(payload: Payload, record: PurchaseRecord): SoldLine[] {
  const net = new Map(record.lines.map((line) => [line.lineNo, line.netCents]));
  return (payload.lines ?? []).map((line) => ({ lineNo: line.lineNo, category: line.category, qty: line.qty, netCents: net.get(line.lineNo) ?? 0 }));
}

export class PostgresCommissionReads implements CommissionReads {
  constructor(private readonly pool: pg.Pool) {}

  async commissionSources(fromIso: string, toIso: string): Promise<CommissionSource[]> {
    const client = await this.pool.connect();
    let broken = false;
    let rows: { sales: SaleRow[]; refunds: RefundRow[]; staff: StaffRow[] };
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const period = [fromIso, toIso];
      rows = {
        sales: (await client.query<SaleRow>(SALES, period)).rows,
        refunds: (await client.query<RefundRow>(REFUNDS, period)).rows,
        staff: (await client.query<StaffRow>(STAFF_WORK, period)).rows,
      };
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
    const sources: CommissionSource[] = [];
    for (const row of rows.sales) {
      const payload = JSON.parse(row.payload) as Payload;
      const record = JSON.parse(row.record) as PurchaseRecord;
      sources.push({ source: 'purchase', staffId: record.servedBy!, storeId: payload.storeId, bundleVersion: row.bundle_version ?? payload.bundleVersion, lines: soldLines(payload, record) });
    }
    for (const row of rows.refunds) {
      const refund = JSON.parse(row.refund) as Payload;
      const sale = JSON.parse(row.sale) as Payload;
      const record = JSON.parse(row.record) as PurchaseRecord;
      sources.push({
        source: 'refund',
        staffId: record.servedBy!,
        storeId: sale.storeId,
        bundleVersion: row.bundle_version ?? sale.bundleVersion,
        lines: soldLines(sale, record),
        refundedLineNos: refund.lineNos ?? [],
      });
    }
    for (const row of rows.staff) {
      const payload = JSON.parse(row.payload) as Payload;
      sources.push({
        source: 'staff',
        kind: row.kind,
        staffId: payload.actor!.staffId,
        storeId: payload.storeId,
        bundleVersion: row.bundle_version ?? payload.bundleVersion,
        amountCents: payload.amountCents,
        feeCents: row.fee_cents,
      });
    }
    return sources;
  }
}
