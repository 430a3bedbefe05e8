import { CodedError } from '../errors/coded-error.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import type { PlanningContext } from './planning-context.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { assertTenderAllowed } from './tender-rules.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/**
 * A repayment of what the member owes on credit, taken by staff: at the counter (cash, bank card, mobile) or out
 * of the member's principal stored value. Never more than is owed: an overpayment would turn credit into a
 * second stored-value account that no rule governs (CREDIT_REPAY_TOO_MUCH).
 */
export function planCreditRepay(tx: TransactionOf<'credit_repay'>, ctx: PlanningContext): LedgerEffect {
  assertStaffMayAct(tx, ctx);
  // Cash needs a person to take it (an unattended kiosk refuses it); bank card, mobile and stored value do not.
  assertTenderAllowed(ctx.deviceMode, tx.tender);
  const owed = Math.max(ctx.creditOwedCents ?? 0, 0);
  if (tx.amountCents > owed) {
    throw new CodedError('CREDIT_REPAY_TOO_MUCH', `the member owes ${owed} cents on credit`, { owedCents: owed, amountCents: tx.amountCents });
  }
  const effect = emptyEffect(ctx.member.memberId);
  effect.postings.push({ account: 'credit', amount: -tx.amountCents });
  if (tx.tender === 'stored_value') {
    if (Math.max(ctx.member.storedValueCents, 0) < tx.amountCents) {
      throw new CodedError('INSUFFICIENT_STORED_VALUE', `stored value covers ${Math.max(ctx.member.storedValueCents, 0)} of ${tx.amountCents} cents`, { neededCents: tx.amountCents });
    }
    effect.postings.push({ account: 'stored_value', amount: -tx.amountCents });
  }
  effect.summary = {
    pointsEarned: 0,
    pointsSpent: 0,
    valueDeltaCents: tx.tender === 'stored_value' ? -tx.amountCents : 0,
    trace: [`credit repaid ${tx.amountCents} cents by ${tx.tender}; ${owed - tx.amountCents} cents still owed`],
  };
  return effect;
}
