/**
 * The receipt check (hub/http/receipt-routes.ts): POST /api/receipts/verify {qr}. A genuine receipt answers its
 * verdict; every other outcome is a ReceiptRefusal with its RECEIPT_* code and what the hub said besides (for
 * RECEIPT_MISMATCH, the differences), which the console's JSON request function does not keep: hence its own call,
 * as the member import has (../members/import-api.ts).
 */
import type { LedgerSide, ReceiptClaim, ReceiptDifference, ReceiptVerdict } from '../../../core/receipt/receipt-verdict.ts';
import { ApiError } from '../api.ts';

// The same types the hub answers with (core/receipt/receipt-verdict.ts).
export type { LedgerSide, ReceiptClaim, ReceiptDifference, ReceiptVerdict };


export class ReceiptRefusal extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly differences: ReceiptDifference[],
  ) {
    super(status, code, message);
  }
}

async function verify(qr: string): Promise<ReceiptVerdict> {
  let res: Response;
  try {
    res = await fetch('/api/receipts/verify', { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify({ qr }) });
  } catch {
    throw new ReceiptRefusal(0, 'NETWORK', 'the hub did not answer', []);
  }
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: { differences?: ReceiptDifference[] } } } | null)?.error;
    throw new ReceiptRefusal(res.status, error?.code ?? 'INTERNAL', error?.message ?? res.statusText, error?.details?.differences ?? []);
  }
  return json as ReceiptVerdict;
}

export const receiptApi = { verify };
