/**
 * The points expiry sweep, planned. A lot past its expiry can no longer be spent (the planners skip it), but
 * until it is swept its points still sit in the member's balance. The sweep is two pure steps:
 *
 * - `planExpirySweep`: from the lots due (read by the ledger's planning reads), one HQ transaction of kind
 *   points_expiry per member;
 * - `planPointsExpiry`: applying one of them, the effect — one journal entry per lot that is still due and
 *   still holds points when the transaction is applied, so the audit keeps holding and the member's history
 *   says where the points went.
 *
 * Running the sweep twice changes nothing the second time: the first took every due lot to zero, so the
 * second finds nothing due and makes no transaction. One that was planned against lots another writer swept
 * meanwhile is refused (POINTS_EXPIRY_NOTHING_DUE), never applied twice.
 */
import { CodedError } from '../errors/coded-error.ts';
import { HQ_DEVICE_ID } from '../wire/hq-device.ts';
import type { HqOnlyTransactionOf } from '../wire/transaction.ts';
import type { MemberPlanningContext } from './planning-context.ts';
import { emptyEffect, type LedgerEffect, type PointLot } from './types.ts';

/** A points lot that expired by the sweep's time and still holds points. */
export interface DueLot {
  lotId: string;
  memberId: string;
  remaining: number;
  expiresAt: string;
}

/** What HQ asks the ledger to apply for one member (the ledger gives it id, seq and time). */
export interface PointsExpiryBody {
  kind: 'points_expiry';
  storeId: string;
  memberId: string;
  asOf: string;
}

/** One points_expiry transaction per member that has a lot due, in member order. */
export function planExpirySweep(due: readonly DueLot[], asOf: string): PointsExpiryBody[] {
  const members = [...new Set(due.filter((lot) => lot.remaining > 0 && lot.expiresAt <= asOf).map((lot) => lot.memberId))].sort();
  return members.map((memberId) => ({ kind: 'points_expiry', storeId: HQ_DEVICE_ID, memberId, asOf }));
}

/** The lots of a member due by `asOf` that still hold points, soonest-expiring first. */
export function lotsDue(lots: readonly PointLot[], asOf: string): PointLot[] {
  return lots
    .filter((lot) => lot.remaining > 0 && lot.expiresAt !== null && lot.expiresAt <= asOf)
    .sort((a, b) => (a.expiresAt! < b.expiresAt! ? -1 : a.expiresAt! > b.expiresAt! ? 1 : a.lotId < b.lotId ? -1 : 1));
}

export function planPointsExpiry(tx: HqOnlyTransactionOf<'points_expiry'>, ctx: MemberPlanningContext): LedgerEffect {
  const due = lotsDue(ctx.lots, tx.asOf);
  if (due.length === 0) throw new CodedError('POINTS_EXPIRY_NOTHING_DUE', `member ${tx.memberId} has no points due to expire as of ${tx.asOf}`);
  const effect = emptyEffect(ctx.member.memberId);
  let expired = 0;
  for (const lot of due) {
    effect.postings.push({ account: 'points', amount: -lot.remaining, lotId: lot.lotId });
    expired += lot.remaining;
  }
  effect.summary = { pointsEarned: 0, pointsSpent: expired, valueDeltaCents: 0, trace: [`${expired} points expired`] };
  return effect;
}
