/**
 * Credit (赊账): what a member owes is the `credit` account (positive: owed). The credit tender adds to it within
 * the member's limit; a repayment, a refund of a credit-paid sale and nothing else takes it down. Late fees and
 * interest are added by HQ's credit sweep (credit_charge). docs/ACCOUNTS.md has the worked example.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from '../rules/bundle.ts';
import { cardTypeOfCard } from './card-types.ts';
import type { CardState, MemberState, Posting } from './types.ts';

/** The member's own limit where HQ set one (above 0), else the limit of the card's type, else none. */
export function creditLimitOf(bundle: RulesBundle, member: Pick<MemberState, 'creditLimitCents'>, card: Pick<CardState, 'cardType'>): number {
  if (member.creditLimitCents > 0) return member.creditLimitCents;
  return cardTypeOfCard(bundle, card)?.creditLimitCents ?? 0;
}

/**
 * Puts `amountCents` on credit. Refused when the rules offer no credit (CREDIT_NOT_OFFERED) or it would take
 * what is owed past the limit (CREDIT_LIMIT_EXCEEDED).
 */
export function drawCredit(bundle: RulesBundle, limitCents: number, owedCents: number, amountCents: number): Posting[] {
  if (amountCents === 0) return [];
  if (!bundle.credit || limitCents <= 0) throw new CodedError('CREDIT_NOT_OFFERED', bundle.credit ? 'the member has no credit limit' : undefined);
  if (owedCents + amountCents > limitCents) {
    throw new CodedError('CREDIT_LIMIT_EXCEEDED', `owes ${owedCents} of a ${limitCents} cents limit; ${amountCents} more is over it`, {
      limitCents,
      owedCents,
      neededCents: amountCents,
    });
  }
  return [{ account: 'credit', amount: amountCents }];
}
