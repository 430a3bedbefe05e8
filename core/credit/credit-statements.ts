/**
 * Credit statements (赊账对账单), pure: from a member's entries on the `credit` account, the chain's credit terms
 * and its timezone, one statement per local calendar month and the member's credit status. Nothing here is
 * stored: the journal is the record, and the statements are read from it whenever they are asked for, so they
 * can never disagree with what the member owes.
 *
 * - A statement covers a local month: opening (the last one's closing), charges (purchases on credit), refunds
 *   (credit given back), repayments, fees & interest (HQ's credit sweep), closing.
 * - It is due `graceDays` after the month closes: due date = last day of the month + graceDays, the whole of
 *   that local day still in time.
 * - Money paid in after a month closes pays the oldest statement first, so the part of a closing still unpaid
 *   at its due date is the closing less what came in (repayments, refunds) between month end and due date.
 * - status: `paid` once nothing of its closing is left, `overdue` past its due date with some left, else `open`.
 */
import { decimalToScaled, SCALE } from '../rules/decimal.ts';
import { clockFor } from '../rules/local-time.ts';
import type { CreditTerms } from '../rules/bundle-accounts.ts';
import { mulDivFloor } from '../money/integers.ts';

export const DEFAULT_CREDIT_TIMEZONE = 'Asia/Shanghai';
export const DEFAULT_GRACE_DAYS = 20;
export const DEFAULT_WARN_AT_SHARE = '0.8';
const DAY_MS = 86_400_000;

/** One journal entry on the member's `credit` account (positive: more owed). */
export interface CreditEntry {
  amountCents: number;
  /** When the transaction was made (ISO UTC). */
  at: string;
  /** The transaction's kind: purchase, refund, credit_repay, credit_charge (anything else counts by its sign). */
  kind: string;
  /** For credit_charge: the statement it charged. */
  statement?: string;
}

export type CreditStatementStatus = 'paid' | 'open' | 'overdue';

export interface CreditStatement {
  /** The local month, 'YYYY-MM'. */
  month: string;
  openingCents: number;
  chargesCents: number;
  refundsCents: number;
  repaymentsCents: number;
  feesCents: number;
  closingCents: number;
  /** The last local day still in time, 'YYYY-MM-DD'. */
  dueDate: string;
  /** The instant it becomes overdue (ISO UTC): the start of the local day after dueDate. */
  overdueFrom: string;
  /** What of the closing was still unpaid when it became overdue (for a statement not yet due: unpaid so far). */
  unpaidAtDueCents: number;
  /** What of the closing is still unpaid now. */
  unpaidNowCents: number;
  status: CreditStatementStatus;
  /** Whether its due date has passed (it may be paid since). */
  pastDue: boolean;
  /** Whether HQ's sweep has charged this statement's late fee and interest. */
  charged: boolean;
}

export type CreditWarning = 'near_limit' | 'over_limit' | 'overdue';

export interface CreditStatus {
  owedCents: number;
  limitCents: number;
  availableCents: number;
  /** Every warning that holds, most serious first: overdue, over_limit, near_limit. */
  warnings: CreditWarning[];
  /** The most serious warning, or null. */
  warning: CreditWarning | null;
}

export interface CreditReport {
  statements: CreditStatement[];
  status: CreditStatus;
}

interface Month {
  year: number;
  month: number;
}

const monthKey = (m: Month) => `${m.year}-${String(m.month).padStart(2, '0')}`;
const nextMonth = (m: Month): Month => (m.month === 12 ? { year: m.year + 1, month: 1 } : { year: m.year, month: m.month + 1 });
const before = (a: Month, b: Month) => a.year < b.year || (a.year === b.year && a.month < b.month);

/**
 * Statements from the first month with an entry to the month of `asOf` (the current month last, still open),
 * months without entries and nothing owed left out; the entries after `asOf` are ignored.
 */
export function creditStatements(entries: readonly CreditEntry[], terms: CreditTerms | undefined, timezone: string | undefined, asOf: string): CreditStatement[] {
  const clock = clockFor(timezone ?? DEFAULT_CREDIT_TIMEZONE);
  const graceDays = terms?.graceDays ?? DEFAULT_GRACE_DAYS;
  const asOfMs = Date.parse(asOf);
  const dated = entries
    .map((e) => ({ ...e, ms: Date.parse(e.at) }))
    .filter((e) => e.ms <= asOfMs)
    .sort((a, b) => a.ms - b.ms);
  const first = dated[0];
  if (!first) return [];
  const charged = new Set(dated.filter((e) => e.kind === 'credit_charge' && e.statement).map((e) => e.statement));
  const inflowsBetween = (fromMs: number, toMs: number) => dated.filter((e) => e.amountCents < 0 && e.ms >= fromMs && e.ms < toMs).reduce((s, e) => s - e.amountCents, 0);

  const statements: CreditStatement[] = [];
  const firstLocal = clock.at(first.at);
  const now = clock.at(asOf);
  let month: Month = { year: firstLocal.year, month: firstLocal.month };
  let opening = 0;
  for (; !before({ year: now.year, month: now.month }, month); month = nextMonth(month)) {
    const next = nextMonth(month);
    const startMs = clock.instantOfLocal(month.year, month.month, 1);
    const endMs = clock.instantOfLocal(next.year, next.month, 1);
    const inMonth = dated.filter((e) => e.ms >= startMs && e.ms < endMs);
    const sum = (pick: (e: CreditEntry) => boolean) => inMonth.filter(pick).reduce((s, e) => s + e.amountCents, 0);
    const chargesCents = sum((e) => e.kind !== 'credit_charge' && e.kind !== 'refund' && e.amountCents > 0);
    const feesCents = sum((e) => e.kind === 'credit_charge');
    const refundsCents = 0 - sum((e) => e.kind === 'refund'); // 0 − x, not −x: no −0 in the answer
    const repaymentsCents = 0 - sum((e) => e.kind !== 'credit_charge' && e.kind !== 'refund' && e.amountCents < 0);
    const closing = opening + chargesCents + feesCents - refundsCents - repaymentsCents;
    if (inMonth.length > 0 || opening !== 0) {
      // Due: the whole local day `graceDays` after the month's last day; overdue from the next local midnight.
      const overdueMs = clock.instantOfLocal(next.year, next.month, 1 + graceDays);
      const due = clock.fields(overdueMs - DAY_MS / 2);
      const unpaidAtDue = Math.max(0, closing - inflowsBetween(endMs, Math.min(overdueMs, asOfMs + 1)));
      const unpaidNow = Math.max(0, closing - inflowsBetween(endMs, asOfMs + 1));
      const key = monthKey(month);
      statements.push({
        month: key,
        openingCents: opening,
        chargesCents,
        refundsCents,
        repaymentsCents,
        feesCents,
        closingCents: closing,
        dueDate: `${due.year}-${String(due.month).padStart(2, '0')}-${String(due.day).padStart(2, '0')}`,
        overdueFrom: new Date(overdueMs).toISOString(),
        unpaidAtDueCents: unpaidAtDue,
        unpaidNowCents: unpaidNow,
        status: unpaidNow === 0 ? 'paid' : asOfMs >= overdueMs ? 'overdue' : 'open',
        pastDue: asOfMs >= overdueMs,
        charged: charged.has(key),
      });
    }
    opening = closing;
  }
  return statements;
}

/** What the member owes, their limit, what is left and the warnings the screens show. */
export function creditStatus(owedCents: number, limitCents: number, terms: CreditTerms | undefined, statements: readonly CreditStatement[]): CreditStatus {
  const warnings: CreditWarning[] = [];
  if (statements.some((s) => s.status === 'overdue')) warnings.push('overdue');
  // Over the limit is possible only through fees and interest (the tender itself stops at the limit).
  if (owedCents > limitCents && owedCents > 0) warnings.push('over_limit');
  else if (limitCents > 0 && owedCents > 0 && owedCents * SCALE >= decimalToScaled(terms?.warnAtShare ?? DEFAULT_WARN_AT_SHARE) * limitCents) warnings.push('near_limit');
  return { owedCents, limitCents, availableCents: Math.max(0, limitCents - owedCents), warnings, warning: warnings[0] ?? null };
}

/** Statements and status together, from the member's entries (owed: the sum of every entry up to asOf). */
export function creditReport(entries: readonly CreditEntry[], limitCents: number, terms: CreditTerms | undefined, timezone: string | undefined, asOf: string): CreditReport {
  const statements = creditStatements(entries, terms, timezone, asOf);
  const asOfMs = Date.parse(asOf);
  const owed = entries.filter((e) => Date.parse(e.at) <= asOfMs).reduce((s, e) => s + e.amountCents, 0);
  return { statements, status: creditStatus(owed, limitCents, terms, statements) };
}

/** The late fee and interest HQ's sweep charges on a statement overdue and not yet charged (null: nothing to charge). */
export function creditChargeFor(statement: CreditStatement, terms: CreditTerms | undefined): { lateFeeCents: number; interestCents: number } | null {
  // Paid late still pays the late fee: what counts is what was unpaid when the due date passed.
  if (!terms || statement.charged || !statement.pastDue || statement.unpaidAtDueCents <= 0) return null;
  const lateFeeCents = terms.lateFeeCents ?? 0;
  const interestCents = mulDivFloor(statement.unpaidAtDueCents, terms.interestBpPerMonth ?? 0, 10_000);
  return lateFeeCents + interestCents > 0 ? { lateFeeCents, interestCents } : null;
}
