/** The receipt check's reads on the PostgreSQL ledger (../receipt-reads.ts; the statement of ../sqlite/sqlite-receipt-reads.ts). */
import type pg from 'pg';
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

export class PostgresReceiptReads implements ReceiptReads {
  constructor(private readonly pool: pg.Pool) {}

  async transactionRecord(txId: string): Promise<LedgerTransactionRecord | null> {
    const row = (
      await this.pool.query<Row>(
        `SELECT t.tx_id, t.device_id, t.kind, t.status, t.code, t.created_at, t.applied_at, t.payload, p.record
         FROM transactions t LEFT JOIN purchases p ON p.tx_id = t.tx_id WHERE t.tx_id = $1`,
        [txId],
      )
    ).rows[0];
    if (!row) return null;
    const total = row.record === null ? null : (JSON.parse(row.record) as { totalCents?: unknown }).totalCents;
    return {
      txId: row.tx_id,
      deviceId: row.device_id,
      kind: row.kind,
      status: row.status,
      code: row.code,
      at: row.created_at,
      appliedAt: row.applied_at,
      payload: row.payload,
      purchaseTotalCents: typeof total === 'number' ? total : null,
    };
  }
}
