/**
 * What checking a receipt reads from the ledger (hub/receipts/verify-receipt.ts): one transaction by its id, as the
 * ledger recorded it — applied or refused, its kind, kiosk, store and the time the ledger dated it, and the
 * purchase record's total. A transaction the hub never recorded (still queued on its kiosk) is null.
 */
export interface LedgerTransactionRecord {
  txId: string;
  deviceId: string;
  kind: string;
  status: 'applied' | 'rejected';
  /** The refusal's code (status rejected). */
  code: string | null;
  /** The time the ledger dated it (the kiosk's, corrected; or the hub's receive time when that was impossible). */
  at: string | null;
  appliedAt: string;
  /** The transaction as received (JSON): the store, the card, the amounts it names. */
  payload: string;
  /** A purchase's total as charged (its purchase record); null for other kinds and refused purchases. */
  purchaseTotalCents: number | null;
}

export interface ReceiptReads {
  transactionRecord(txId: string): Promise<LedgerTransactionRecord | null>;
}
