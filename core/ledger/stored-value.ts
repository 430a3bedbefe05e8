import { CodedError } from '../errors/coded-error.ts';
import type { Cents } from '../money/integers.ts';
import type { MemberState, Posting } from './types.ts';

/**
 * Spends stored value: principal first, then bonus value (bonus is never refunded as cash, so it goes last).
 * Never below zero: paying on credit (赊账) is its own tender with its own account and limit (credit.ts), so a
 * stored-value payment the balance does not cover is refused.
 */
export function drawStoredValue(member: MemberState, amount: Cents): { postings: Posting[]; fromPrincipal: Cents; fromBonus: Cents } {
  const fromPrincipal = Math.min(Math.max(member.storedValueCents, 0), amount);
  const fromBonus = Math.min(Math.max(member.bonusValueCents, 0), amount - fromPrincipal);
  if (fromPrincipal + fromBonus < amount) {
    throw new CodedError('INSUFFICIENT_STORED_VALUE', `stored value covers ${fromPrincipal + fromBonus} of ${amount} cents`, { neededCents: amount });
  }
  const postings: Posting[] = [];
  if (fromPrincipal > 0) postings.push({ account: 'stored_value', amount: -fromPrincipal });
  if (fromBonus > 0) postings.push({ account: 'bonus_value', amount: -fromBonus });
  return { postings, fromPrincipal, fromBonus };
}

/**
 * A sale the kiosk took offline within HQ's limits: what the member's stored value still covers is drawn, the
 * rest is owed on `shortfall_value` (positive: the member owes it), never refused or dropped.
 */
export function drawStoredValueWithShortfall(member: MemberState, amount: Cents): { postings: Posting[]; fromPrincipal: Cents; fromBonus: Cents; owedCents: Cents } {
  const principalRoom = Math.max(member.storedValueCents, 0);
  const bonusRoom = Math.max(member.bonusValueCents, 0);
  const covered = Math.min(amount, principalRoom + bonusRoom);
  const drawn = covered > 0 ? drawStoredValue(member, covered) : { postings: [], fromPrincipal: 0, fromBonus: 0 };
  const owedCents = amount - covered;
  return { ...drawn, postings: owedCents > 0 ? [...drawn.postings, { account: 'shortfall_value', amount: owedCents }] : drawn.postings, owedCents };
}
