/**
 * Whether a new transaction may be made now, and how it is marked: the submitter's last word before drafting
 * (submit-transaction.ts `admit`; never for a replay). Codes, draws, card returns, issues and services, and
 * credit are decided at the hub only and refused without it (HUB_REQUIRED); offline, a sale paying with stored
 * value or points is checked against HQ's offline limits and marked acceptedOffline when taken. Its own file so
 * every "not without the hub" and "not past the offline limits" rule sits in one place.
 */
import type { TxBodyInput } from '../tx/transaction-factory.ts';
import { assertHubThere, HUB_DECIDED_KINDS } from './codes-and-draws.ts';
import { assertCreditDecidable } from './credit-at-hub.ts';
import type { KioskAppDeps } from './kiosk-app-deps.ts';

export function createTransactionAdmission(deps: Pick<KioskAppDeps, 'link' | 'offlineGuard'>): (request: TxBodyInput) => TxBodyInput {
  const { link } = deps;
  /**
   * Offline (not connected, or the hub said it is offline), a sale paying with stored value or points is checked
   * against HQ's offline limits before it is written, and marked acceptedOffline when taken.
   */
  return function admit(request: TxBodyInput): TxBodyInput {
    // Codes and draws are decided at the hub only: never queued for later (codes-and-draws.ts).
    if (HUB_DECIDED_KINDS.has(request.kind)) assertHubThere(link);
    // So is credit (赊账): a sale on credit or a repayment is never queued offline (credit-at-hub.ts).
    assertCreditDecidable(request, link);
    const guard = deps.offlineGuard;
    if (!guard || request.kind !== 'purchase' || link.isConnected()) return request;
    return guard.admit({ cardUid: request.cardUid, payments: request.payments }) ? { ...request, acceptedOffline: true } : request;
  };
}
