/**
 * A member's credit (赊账) as the hub reads it: the limit that applies (their own, else their card type's), the
 * statements and the status with its warnings, worked out from the journal now (core/credit/credit-statements.ts).
 * The API, the CLI, the member view and the kiosk look-up all answer from here, so they never disagree.
 */
import { creditReport, type CreditReport } from '../../core/credit/credit-statements.ts';
import { CodedError, isCodedError } from '../../core/errors/coded-error.ts';
import { creditLimitOf } from '../../core/ledger/credit.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { MemberView } from '../../core/wire/lookup.ts';
import type { CreditStore } from '../ledger/credit-store.ts';

export interface MemberCredit extends CreditReport {
  memberId: string;
  /** Whether the rules offer credit at all. */
  offered: boolean;
  /** The member's own limit (0: the card type's applies). */
  ownLimitCents: number;
}

export async function memberCredit(credit: CreditStore, bundle: RulesBundle, memberId: string, asOf: string): Promise<MemberCredit> {
  const [profile, entries] = await Promise.all([credit.creditProfile(memberId), credit.creditEntries(memberId)]);
  if (!profile || !entries) throw new CodedError('MEMBER_UNKNOWN');
  // No terms, no credit: the limit is 0 whatever HQ set, as the tender is refused (CREDIT_NOT_OFFERED).
  const limit = bundle.credit ? limitOf(bundle, profile.ownLimitCents, profile.cardType) : 0;
  return { memberId, offered: bundle.credit !== undefined, ownLimitCents: profile.ownLimitCents, ...creditReport(entries, limit, bundle.credit, bundle.timezone, asOf) };
}

/**
 * creditLimitOf, reading a card type the latest rules no longer define as offering no limit of its own: a read
 * (the member's screen, the statement) must not fail where only a sale on credit would be refused.
 */
function limitOf(bundle: RulesBundle, ownLimitCents: number, cardType: string | null): number {
  try {
    return creditLimitOf(bundle, { creditLimitCents: ownLimitCents }, { cardType });
  } catch (error) {
    if (isCodedError(error) && error.code === 'CARD_TYPE_UNKNOWN') return ownLimitCents;
    throw error;
  }
}

/** The credit line of a member view (core/wire/lookup.ts): null where the rules offer no credit and nothing is owed. */
export async function memberCreditSummary(credit: CreditStore, bundle: RulesBundle, memberId: string, asOf: string): Promise<NonNullable<MemberView['credit']> | null> {
  const report = await memberCredit(credit, bundle, memberId, asOf);
  if (!report.offered && report.status.owedCents === 0) return null;
  const { owedCents, limitCents, availableCents, warning } = report.status;
  return { owedCents, limitCents, availableCents, warning };
}
