/**
 * Reads what the hub's ledger (DIR/ledger.sqlite) holds for one device, straight from the file and read-only,
 * so the check does not go through the hub code under test. WAL mode lets it read while the hub writes.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface LedgerTxRow {
  epoch: string;
  seq: number;
  txId: string;
  status: string;
  /**
   * The first journal entry the transaction wrote. entry_id is the journal's INTEGER PRIMARY KEY, so it grows
   * in the order transactions were applied: ascending with seq means applied in the device's order.
   */
  firstEntry: number | null;
}

export function readLedgerTransactions(hubDataDir: string, deviceId: string): LedgerTxRow[] {
  const db = new Database(join(hubDataDir, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[string], LedgerTxRow>(
        `SELECT t.epoch AS epoch, t.seq AS seq, t.tx_id AS txId, t.status AS status,
                (SELECT MIN(j.entry_id) FROM journal j WHERE j.tx_id = t.tx_id) AS firstEntry
           FROM transactions t WHERE t.device_id = ? ORDER BY firstEntry IS NULL, firstEntry, t.epoch, t.seq`,
      )
      .all(deviceId);
  } finally {
    db.close();
  }
}
