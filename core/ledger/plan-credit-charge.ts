import { CodedError } from '../errors/coded-error.ts';
import type { HqOnlyTransactionOf } from '../wire/transaction.ts';
import type { MemberPlanningContext } from './planning-context.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/**
 * The late fee and interest on a credit statement left unpaid past its due date (HQ's credit sweep works them out
 * from the statement, hub/hq). Both are added to what the member owes. The late fee is the terms' fixed amount or
 * nothing; interest can only be charged where the terms set a rate. Once per statement: the sweep skips a
 * statement already charged, and a second charge of the same statement is refused here (the ledger reads
 * whether one was applied), so a rerun or a second hub process never charges twice.
 */
export function planCreditCharge(tx: HqOnlyTransactionOf<'credit_charge'>, ctx: MemberPlanningContext): LedgerEffect {
  const terms = ctx.bundle.credit;
  if (!terms) throw new CodedError('CREDIT_NOT_OFFERED');
  // Defence behind the sweep's own check: a statement's fee and interest are charged once, whoever asks twice.
  if (ctx.creditStatementCharged === true) throw new CodedError('CREDIT_CHARGE_INVALID', `statement ${tx.statement} was charged already`);
  if (tx.lateFeeCents !== 0 && tx.lateFeeCents !== (terms.lateFeeCents ?? 0)) {
    throw new CodedError('CREDIT_CHARGE_INVALID', `the late fee is ${terms.lateFeeCents ?? 0} cents, not ${tx.lateFeeCents}`);
  }
  if (tx.interestCents > 0 && (terms.interestBpPerMonth ?? 0) === 0) throw new CodedError('CREDIT_CHARGE_INVALID', 'the credit terms charge no interest');
  if (tx.lateFeeCents + tx.interestCents === 0) throw new CodedError('CREDIT_CHARGE_INVALID', 'nothing to charge');
  const effect = emptyEffect(ctx.member.memberId);
  effect.postings.push({ account: 'credit', amount: tx.lateFeeCents + tx.interestCents });
  effect.summary = {
    pointsEarned: 0,
    pointsSpent: 0,
    valueDeltaCents: 0,
    trace: [`statement ${tx.statement} overdue: late fee ${tx.lateFeeCents} cents, interest ${tx.interestCents} cents added to credit owed`],
  };
  return effect;
}
