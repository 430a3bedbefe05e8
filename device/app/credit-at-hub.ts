/**
 * Credit (赊账) on the kiosk is decided at the hub only: the limit and what is owed live in the hub's ledger, and a
 * kiosk's cached member view may be stale. Offline (not connected, or the hub announced itself offline) a sale
 * paying on credit and a credit repayment are refused HUB_REQUIRED (503) and nothing is queued: never a sale
 * handed over on credit the hub would refuse later, never cash taken for a repayment the hub would refuse.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { TxBodyInput } from '../tx/transaction-factory.ts';

export function assertCreditDecidable(request: TxBodyInput, link: { isConnected(): boolean }): void {
  if (!usesCredit(request) || link.isConnected()) return;
  throw new CodedError('HUB_REQUIRED', '本机暂时离线，赊账须联网办理，未保存任何交易。 / Credit is decided at the hub, which cannot be reached now: nothing was queued.');
}

function usesCredit(request: TxBodyInput): boolean {
  if (request.kind === 'credit_repay') return true;
  return request.kind === 'purchase' && request.payments.some((p) => p.method === 'credit');
}
