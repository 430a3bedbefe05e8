/**
 * A ledger file holding `rows` applied purchases of one member (王芳, M1) for the report tests, written in bulk in
 * the ledger's own shapes: purchase i at 2026-01-01 plus i × 40 s, id `T` + i in 7 digits, in store s1 when i is
 * odd and s2 when even, total i + 100 cents (i from stored value, 100 from bonus value), lines earning i % 7 and 1
 * points. Its effects are written before its row, as the ledger does, so the reports' totals trigger counts it.
 */
import Database from 'better-sqlite3';
import { SCHEMA_SQL } from '../ledger/sqlite/schema.ts';

export const PURCHASES_START = Date.parse('2026-01-01T00:00:00.000Z');
export const PURCHASE_SPACING_MS = 40_000;
export const purchaseId = (i: number) => `T${String(i).padStart(7, '0')}`;

export function writePurchasesLedger(path: string, rows: number): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA_SQL);
    db.prepare("INSERT INTO members (member_id, name, phone, tier, created_at, home_store_id) VALUES ('M1', '王芳', '13800000001', 'gold', '2025-01-01T00:00:00.000Z', 's1')").run();
    const insertTx = db.prepare(
      `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, member_id, bundle_version, created_at, applied_at, result)
       VALUES (?, 'k1', ?, '', 'purchase', 'h', ?, 'applied', 'M1', 1, ?, ?, '{}')`,
    );
    const insertPurchase = db.prepare("INSERT INTO purchases (tx_id, member_id, record) VALUES (?, 'M1', ?)");
    db.transaction(() => {
      for (let i = 1; i <= rows; i += 1) {
        const id = purchaseId(i);
        const at = new Date(PURCHASES_START + i * PURCHASE_SPACING_MS).toISOString();
        const lines = [{ lineNo: 1, netCents: i, points: i % 7 }, { lineNo: 2, netCents: 100, points: 1 }];
        insertPurchase.run(id, JSON.stringify({ txId: id, memberId: 'M1', lines, totalCents: i + 100, tenders: { cashCents: 0, storedValueCents: i, bonusValueCents: 100, pointsValueCents: 0, points: 0 } }));
        const payloadLines = [{ lineNo: 1, sku: 'A', category: 'c', qty: 1, unitPriceCents: i }, { lineNo: 2, sku: 'B', category: 'c', qty: 1, unitPriceCents: 100 }];
        insertTx.run(id, i, JSON.stringify({ kind: 'purchase', storeId: i % 2 ? 's1' : 's2', id, lines: payloadLines }), at, at);
      }
    })();
  } finally {
    db.close();
  }
}
