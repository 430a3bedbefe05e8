/**
 * One purchase of one member as the ledger recorded it, for a refund of chosen lines at a kiosk (look-up
 * purchase.lines): the lines and payments from the transaction's stored payload (what the device sent, which the
 * ledger checked), the total from the purchase record, and the lines refunded since (refunded_lines).
 *
 * The member is part of the key, not a filter applied afterwards: a purchase of someone else reads exactly like
 * one that does not exist, so a kiosk learns nothing about other members' purchases from an id it guesses.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { PurchaseLines } from '../../../core/wire/lookup.ts';
import type { PaymentWire, TransactionOf } from '../../../core/wire/transaction.ts';

interface PurchaseRow {
  tx_id: string;
  created_at: string | null;
  applied_at: string;
  payload: string;
  record: string;
}

interface PurchaseStatements {
  purchase: Statement<[string, string], PurchaseRow>;
  refunded: Statement<[string], { line_no: number }>;
}

/** Prepared once per database connection. */
const statements = new WeakMap<Database, PurchaseStatements>();

function statementsOf(db: Database): PurchaseStatements {
  let prepared = statements.get(db);
  if (!prepared) {
    prepared = {
      purchase: db.prepare(
        `SELECT t.tx_id, t.created_at, t.applied_at, t.payload, p.record
         FROM purchases p JOIN transactions t ON t.tx_id = p.tx_id
         WHERE p.tx_id = ? AND p.member_id = ? AND t.status = 'applied'`,
      ),
      refunded: db.prepare('SELECT line_no FROM refunded_lines WHERE purchase_tx_id = ? ORDER BY line_no'),
    };
    statements.set(db, prepared);
  }
  return prepared;
}

/** The purchase `txId` of member `memberId`; null when there is none (or it is another member's). */
export function memberPurchase(db: Database, memberId: string, txId: string): PurchaseLines | null {
  const { purchase, refunded } = statementsOf(db);
  const row = purchase.get(txId, memberId);
  if (!row) return null;
  const tx = JSON.parse(row.payload) as Pick<TransactionOf<'purchase'>, 'lines' | 'payments'>;
  const record = JSON.parse(row.record) as { totalCents: number };
  return {
    txId: row.tx_id,
    // Every applied purchase is dated; applied_at only stands in should a payload ever have carried no date.
    at: row.created_at ?? row.applied_at,
    lines: tx.lines.map(({ lineNo, sku, category, qty, unitPriceCents }) => ({ lineNo, sku, category, qty, unitPriceCents })),
    payments: tx.payments.map((payment): PaymentWire => ({ ...payment })),
    totalCents: record.totalCents,
    refundedLineNos: refunded.all(txId).map((r) => r.line_no),
  };
}
