import { CodedError } from '../errors/coded-error.ts';
import type { Cents } from '../money/integers.ts';
import type { MemberState, Posting } from './types.ts';

/**
 * Spends stored value: principal first, then bonus value (bonus is never refunded as cash, so it goes last),
 * then principal below zero down to the member's credit limit.
 */
export function drawStoredValue(member: MemberState, amount: Cents): { postings: Posting[]; fromPrincipal: Cents; fromBonus: Cents } {
  const principalAvailable = Math.max(member.storedValueCents, 0);
  const fromPrincipalFirst = Math.min(principalAvailable, amount);
  const fromBonus = Math.min(Math.max(member.bonusValueCents, 0), amount - fromPrincipalFirst);
  const onCredit = amount - fromPrincipalFirst - fromBonus;
  const principalAfter = member.storedValueCents - fromPrincipalFirst - onCredit;
  if (onCredit > 0 && principalAfter < -member.creditLimitCents) {
    throw new CodedError('INSUFFICIENT_STORED_VALUE', `stored value covers ${amount - onCredit + Math.max(0, member.creditLimitCents + Math.min(member.storedValueCents, 0))} of ${amount} cents`, {
      neededCents: amount,
    });
  }
  const fromPrincipal = fromPrincipalFirst + onCredit;
  const postings: Posting[] = [];
  if (fromPrincipal > 0) postings.push({ account: 'stored_value', amount: -fromPrincipal });
  if (fromBonus > 0) postings.push({ account: 'bonus_value', amount: -fromBonus });
  return { postings, fromPrincipal, fromBonus };
}
