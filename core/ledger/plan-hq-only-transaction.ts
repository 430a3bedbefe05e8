import { CodedError } from '../errors/coded-error.ts';
import { HQ_DEVICE_ID } from '../wire/hq-device.ts';
import type { HqOnlyTransaction } from '../wire/transaction.ts';
import type { MemberPlanningContext } from './planning-context.ts';
import { planAnnualFee } from './plan-annual-fee.ts';
import { planCreditCharge } from './plan-credit-charge.ts';
import { planMemberImport } from './plan-member-import.ts';
import { planPointsExpiry } from './plan-points-expiry.ts';
import { planTierReview } from './plan-tier-review.ts';
import type { LedgerEffect } from './types.ts';

/**
 * What a member-named HQ transaction (points expiry, tier review) does to the accounts; throws a CodedError
 * when the business says no. Only the hub's own device may send one: a kiosk could otherwise expire anyone's
 * points or move anyone's tier, so any other device is refused, as a manual bonus from a kiosk is.
 */
export function planHqOnlyTransaction(tx: HqOnlyTransaction, ctx: MemberPlanningContext): LedgerEffect {
  if (tx.deviceId !== HQ_DEVICE_ID) {
    throw new CodedError('TX_NOT_ALLOWED_FROM_DEVICE', `${tx.kind} transactions are made only by ${HQ_DEVICE_ID}, not ${tx.deviceId}`, { deviceId: tx.deviceId });
  }
  switch (tx.kind) {
    case 'points_expiry':
      return planPointsExpiry(tx, ctx);
    case 'tier_review':
      return planTierReview(tx, ctx);
    case 'annual_fee':
      return planAnnualFee(tx, ctx);
    case 'credit_charge':
      return planCreditCharge(tx, ctx);
    case 'member_import':
      return planMemberImport(tx, ctx);
  }
}
