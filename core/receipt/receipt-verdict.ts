/**
 * What a receipt check answers (POST /api/receipts/verify, hub/receipts/verify-receipt.ts), as the hub builds it and
 * the console reads it: one set of types for both sides.
 */
import type { ReceiptClaim } from './receipt-claim.ts';

export type { ReceiptClaim };

/** The ledger's side of a receipt, in the terms the receipt uses (the card masked, the total in cents). */
export interface LedgerSide {
  txId: string;
  kind: string;
  status: 'applied' | 'rejected';
  code: string | null;
  deviceId: string;
  storeId: string | null;
  cardMasked: string | null;
  totalCents: number | null;
  /** When the ledger dated it. */
  at: string | null;
}

export interface ReceiptVerdict {
  genuine: true;
  receipt: ReceiptClaim;
  kiosk: { deviceId: string; storeId: string; revokedAt: string | null };
  ledger: LedgerSide;
}

/** A field where a genuine receipt and the ledger disagree (RECEIPT_MISMATCH). */
export interface ReceiptDifference {
  field: 'deviceId' | 'storeId' | 'cardMasked' | 'totalCents';
  receipt: string | number;
  ledger: string | number | null;
}
