/** The receipt check's reads on the ledger's SQLite database (../receipt-reads.ts). */
import type { Database } from 'better-sqlite3';
import type { LedgerTransactionRecord, ReceiptReads } from '../receipt-reads.ts';

interface Row {
  tx_id: string;
  device_id: string;
  kind: string;
  status: 'applied' | 'rejected';
  code: string | null;
  created_at: string | null;
  applied_at: string;
  payload: string;
  record: string | null;
}

export class SqliteReceiptReads implements ReceiptReads {
  constructor(private readonly db: Database) {}

  transactionRecord(txId: string): Promise<LedgerTransactionRecord | null> {
    const row = this.db
      .prepare(
        `SELECT t.tx_id, t.device_id, t.kind, t.status, t.code, t.created_at, t.applied_at, t.payload, p.record
         FROM transactions t LEFT JOIN purchases p ON p.tx_id = t.tx_id WHERE t.tx_id = ?`,
      )
      .get(txId) as Row | undefined;
    if (!row) return Promise.resolve(null);
    const total = row.record === null ? null : (JSON.parse(row.record) as { totalCents?: unknown }).totalCents;
    return Promise.resolve({
      txId: row.tx_id,
      deviceId: row.device_id,
      kind: row.kind,
      status: row.status,
      code: row.code,
      at: row.created_at,
      appliedAt: row.applied_at,
      payload: row.payload,
      purchaseTotalCents: typeof total === 'number' ? total : null,
    });
  }
}
