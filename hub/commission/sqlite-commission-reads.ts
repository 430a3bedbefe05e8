/**
 * The commission port (commission-reads.ts) on the ledger's SQLite database: a sale's staff member is the clerk
 * the ledger verified (the purchase record's `servedBy`; an offline sale under a lapsed session is credited to
 * nobody), a staff transaction's the payload's `actor.staffId`, the lines' net cents come from the purchase record the ledger wrote (after discounts), their
 * categories and quantities from the payload, a fee from fee_charges, the rules version from the row the
 * transaction was applied under. Reads only.
 */
import type { Database } from 'better-sqlite3';
import type { CommissionSource, SoldLine } from '../../core/commission/commission-items.ts';
import type { PurchaseRecord } from '../../core/ledger/types.ts';
import type { CommissionReads } from './commission-reads.ts';

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

const IN_PERIOD = "t.status = 'applied' AND t.created_at >= ? AND t.created_at < ?";

/** The sale's lines: category and quantity as sold, net cents as the ledger priced them. */
function soldLines(payload: Payload, record: PurchaseRecord): SoldLine[] {
  const net = new Map(record.lines.map((line) => [line.lineNo, line.netCents]));
  return (payload.lines ?? []).map((line) => ({ lineNo: line.lineNo, category: line.category, qty: line.qty, netCents: net.get(line.lineNo) ?? 0 }));
}

export function createSqliteCommissionReads(db: Database): CommissionReads {
  // No index on created_at alone: a report scans the transactions of the hub once, which is what a monthly
  // report costs; the ingest path pays nothing for it.
  const sales = db.prepare<[string, string], SaleRow>(
    `SELECT t.payload, t.bundle_version, p.record FROM transactions t JOIN purchases p ON p.tx_id = t.tx_id
     WHERE ${IN_PERIOD} AND t.kind = 'purchase' AND json_extract(p.record, '$.servedBy') IS NOT NULL
     ORDER BY t.created_at, t.tx_id`,
  );
  const refunds = db.prepare<[string, string], RefundRow>(
    `SELECT t.payload AS refund, o.payload AS sale, o.bundle_version, p.record FROM transactions t
     JOIN transactions o ON o.tx_id = json_extract(t.payload, '$.purchaseTxId')
     JOIN purchases p ON p.tx_id = o.tx_id
     WHERE ${IN_PERIOD} AND t.kind = 'refund' AND json_extract(p.record, '$.servedBy') IS NOT NULL
     ORDER BY t.created_at, t.tx_id`,
  );
  const staffWork = db.prepare<[string, string], StaffRow>(
    `SELECT t.kind, t.payload, t.bundle_version, (SELECT COALESCE(SUM(f.cents), 0) FROM fee_charges f WHERE f.tx_id = t.tx_id) AS fee_cents
     FROM transactions t
     WHERE ${IN_PERIOD} AND t.kind NOT IN ('purchase', 'refund') AND json_extract(t.payload, '$.actor.staffId') IS NOT NULL
     ORDER BY t.created_at, t.tx_id`,
  );

  return {
    async commissionSources(fromIso, toIso) {
      const sources: CommissionSource[] = [];
      for (const row of sales.all(fromIso, toIso)) {
        const payload = JSON.parse(row.payload) as Payload;
        const record = JSON.parse(row.record) as PurchaseRecord;
        sources.push({ source: 'purchase', staffId: record.servedBy!, storeId: payload.storeId, bundleVersion: row.bundle_version ?? payload.bundleVersion, lines: soldLines(payload, record) });
      }
      for (const row of refunds.all(fromIso, toIso)) {
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
      for (const row of staffWork.all(fromIso, toIso)) {
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
    },
  };
}
