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

/**
 * A sale the kiosk took offline within HQ's limits: what the member's stored value (and credit) still covers is
 * drawn, the rest is owed on `shortfall_value` (positive: the member owes it), never refused or dropped.
 */
export function drawStoredValueWithShortfall(member: MemberState, amount: Cents): { postings: Posting[]; fromPrincipal: Cents; fromBonus: Cents; owedCents: Cents } {
  const principalRoom = Math.max(member.storedValueCents + member.creditLimitCents, 0);
  const bonusRoom = Math.max(member.bonusValueCents, 0);
  const covered = Math.min(amount, principalRoom + bonusRoom);
  const drawn = covered > 0 ? drawStoredValue(member, covered) : { postings: [], fromPrincipal: 0, fromBonus: 0 };
  const owedCents = amount - covered;
  return { ...drawn, postings: owedCents > 0 ? [...drawn.postings, { account: 'shortfall_value', amount: owedCents }] : drawn.postings, owedCents };
}
