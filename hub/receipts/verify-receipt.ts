/**
 * Checks a receipt's QR code (core/receipt/receipt-qr.ts) against the fleet and the ledger, in the order that
 * answers the question staff ask ("is this receipt real, and did it happen as printed?"):
 *   1. is it a receipt code at all                         RECEIPT_QR_MALFORMED
 *   2. does it name a kiosk this hub enrolled             RECEIPT_DEVICE_UNKNOWN
 *   3. did that kiosk's own key sign exactly this          RECEIPT_SIGNATURE_INVALID (altered, or made elsewhere)
 *   4. may this staff member see that store's receipts    AUTH_FORBIDDEN
 *   5. does the ledger hold the transaction               RECEIPT_NOT_IN_LEDGER (genuine, not applied yet: queued)
 *   6. does the ledger's record say what the receipt says RECEIPT_MISMATCH (kiosk, store, card, total)
 * and otherwise answers the genuine receipt beside the ledger's record. A refused transaction is genuine too: its
 * receipt said "not done", and the answer says the ledger refused it. A revoked kiosk's receipts still verify
 * (they were printed while it was trusted); the answer names the revocation so staff can judge the date.
 */
import type { LedgerSide, ReceiptDifference, ReceiptVerdict } from '../../core/receipt/receipt-verdict.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import { maskCardUid } from '../../core/privacy/mask.ts';
import type { ReceiptClaim } from '../../core/receipt/receipt-claim.ts';
import { parseReceiptQr, verifyReceiptQr } from '../../core/receipt/receipt-qr.ts';
import { statedTotalCents } from '../../core/receipt/receipt-total.ts';
import type { EnrolledDevice } from '../fleet/fleet-registry.ts';
import type { LedgerTransactionRecord } from '../ledger/receipt-reads.ts';

export interface ReceiptCheckDeps {
  device(deviceId: string): Promise<EnrolledDevice | null>;
  transactionRecord(txId: string): Promise<LedgerTransactionRecord | null>;
  /** Whether the caller may see this store's receipts (their stores, or every store). */
  mayRead(storeId: string): boolean;
}


export async function verifyReceipt(qrText: string, deps: ReceiptCheckDeps): Promise<ReceiptVerdict> {
  const parsed = parseReceiptQr(qrText);
  const { claim } = parsed;
  const device = await deps.device(claim.deviceId);
  if (!device) throw new CodedError('RECEIPT_DEVICE_UNKNOWN', `no kiosk ${claim.deviceId} was ever enrolled at this hub`, { receipt: claim });
  if (!verifyReceiptQr(parsed, device.publicKeyPem)) {
    // What it claims is not repeated back: it is exactly what cannot be trusted.
    throw new CodedError('RECEIPT_SIGNATURE_INVALID', `the code is not signed by kiosk ${claim.deviceId}: it was altered, or made elsewhere`);
  }
  if (!deps.mayRead(claim.storeId)) throw new CodedError('AUTH_FORBIDDEN', 'this receipt is from a store outside yours');
  const record = await deps.transactionRecord(claim.txId);
  if (!record) {
    throw new CodedError(
      'RECEIPT_NOT_IN_LEDGER',
      `the receipt is genuine, but the hub has not applied transaction ${claim.txId}: it may still be queued on kiosk ${claim.deviceId} (offline), or it never reached the hub`,
      { receipt: claim },
    );
  }
  const ledger = ledgerSide(record);
  const differences = compare(claim, ledger);
  if (differences.length > 0) {
    throw new CodedError('RECEIPT_MISMATCH', `the receipt is genuine but the ledger records ${differences.map((d) => d.field).join(', ')} differently`, { receipt: claim, ledger, differences });
  }
  return { genuine: true, receipt: claim, kiosk: { deviceId: device.deviceId, storeId: device.storeId, revokedAt: device.revokedAt }, ledger };
}

function ledgerSide(record: LedgerTransactionRecord): LedgerSide {
  let payload: { storeId?: unknown; cardUid?: unknown; amountCents?: unknown; feeCents?: unknown } = {};
  try {
    payload = JSON.parse(record.payload) as typeof payload;
  } catch {
    // A payload recorded as received but not JSON was refused unread: the ledger knows only its slot.
  }
  const applied = record.status === 'applied';
  return {
    txId: record.txId,
    kind: record.kind,
    status: record.status,
    code: record.code,
    deviceId: record.deviceId,
    storeId: typeof payload.storeId === 'string' ? payload.storeId : null,
    cardMasked: typeof payload.cardUid === 'string' ? maskCardUid(payload.cardUid) : null,
    // Only what was applied has a total the ledger stands behind; a refused purchase has no purchase record.
    totalCents: applied ? statedTotalCents({ ...payload, kind: record.kind }, record.purchaseTotalCents) : null,
    at: record.at,
  };
}

function compare(claim: ReceiptClaim, ledger: LedgerSide): ReceiptDifference[] {
  const differences: ReceiptDifference[] = [];
  if (claim.deviceId !== ledger.deviceId) differences.push({ field: 'deviceId', receipt: claim.deviceId, ledger: ledger.deviceId });
  if (claim.storeId !== ledger.storeId) differences.push({ field: 'storeId', receipt: claim.storeId, ledger: ledger.storeId });
  if (ledger.cardMasked !== null && claim.cardMasked !== ledger.cardMasked) differences.push({ field: 'cardMasked', receipt: claim.cardMasked, ledger: ledger.cardMasked });
  if (ledger.totalCents !== null && claim.totalCents !== ledger.totalCents) differences.push({ field: 'totalCents', receipt: claim.totalCents, ledger: ledger.totalCents });
  return differences;
}

export type { LedgerSide, ReceiptDifference, ReceiptVerdict };
