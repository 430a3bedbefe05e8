import type { Transaction } from '../wire/transaction.ts';
import { planCardIssue } from './plan-card-issue.ts';
import { planCardService } from './plan-card-service.ts';
import { planCreditRepay } from './plan-credit-repay.ts';
import { planCardLifecycle } from './plan-card-lifecycle.ts';
import { planCardReturn } from './plan-card-return.ts';
import { planCodeRedeem } from './plan-code-redeem.ts';
import { planDrawEnter } from './plan-draw-enter.ts';
import { planManualBonus } from './plan-manual-bonus.ts';
import { planPunchCardUse } from './plan-punch-card.ts';
import { planPurchase } from './plan-purchase.ts';
import { withPointsRebate } from './points-rebate-run.ts';
import { planRedeemGift } from './plan-redeem-gift.ts';
import { planRefund } from './plan-refund.ts';
import { planRegisterMember } from './plan-register-member.ts';
import { planTierUpgrade } from './plan-tier-upgrade.ts';
import { planTopUp } from './plan-top-up.ts';
import type { PlanningContext } from './planning-context.ts';
import type { LedgerEffect } from './types.ts';

/** What a transaction does to the accounts; throws a CodedError when the business says no. */
export function planTransaction(tx: Transaction, ctx: PlanningContext): LedgerEffect {
  switch (tx.kind) {
    case 'purchase':
      return withPointsRebate(tx, ctx, planPurchase(tx, ctx));
    case 'top_up':
      return planTopUp(tx, ctx);
    case 'redeem_gift':
      return planRedeemGift(tx, ctx);
    case 'refund':
      return planRefund(tx, ctx);
    case 'card_report_loss':
    case 'card_cancel_loss':
    case 'card_freeze':
    case 'card_unfreeze':
    case 'card_replace':
      return planCardLifecycle(tx, ctx);
    case 'card_return':
      return planCardReturn(tx, ctx);
    case 'register_member':
      return planRegisterMember(tx, ctx);
    case 'tier_upgrade':
      return planTierUpgrade(tx, ctx);
    case 'punch_card_use':
      return planPunchCardUse(tx, ctx);
    case 'manual_bonus':
      return withPointsRebate(tx, ctx, planManualBonus(tx, ctx));
    case 'code_redeem':
      return withPointsRebate(tx, ctx, planCodeRedeem(tx, ctx));
    case 'draw_enter':
      return planDrawEnter(tx, ctx);
    case 'card_issue':
      return planCardIssue(tx, ctx);
    case 'card_service':
      return planCardService(tx, ctx);
    case 'credit_repay':
      return planCreditRepay(tx, ctx);
  }
}
