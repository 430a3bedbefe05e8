/**
 * Charging a fee of the fee schedule. The amount is always the schedule's (the rules the transaction ran under),
 * never the caller's: a kiosk names the fee it showed, and a different one is refused (FEE_MISMATCH) so nobody
 * pays an amount they were not shown. Counter tenders leave the member's accounts alone (the fee is recorded with
 * the transaction, for the fee reports); stored value pays from principal only, never bonus value or credit.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { FeeTender } from '../wire/transaction.ts';
import { assertTenderAllowed } from './tender-rules.ts';
import type { FeeCharge, FeeKind, KioskMode, MemberState, Posting } from './types.ts';

export interface FeeToCharge {
  cardUid: string;
  feeKind: FeeKind;
  /** The schedule's fee. */
  scheduledCents: number;
  tender: FeeTender;
  /** What the kiosk showed, if it said. */
  claimedCents: number | undefined;
}

export function chargeFee(fee: FeeToCharge, member: MemberState, deviceMode: KioskMode): { postings: Posting[]; feeCharge: FeeCharge | null } {
  if (fee.claimedCents !== undefined && fee.claimedCents !== fee.scheduledCents) {
    throw new CodedError('FEE_MISMATCH', `the ${fee.feeKind} fee is ${fee.scheduledCents} cents, not ${fee.claimedCents}`, {
      scheduledCents: fee.scheduledCents,
      claimedCents: fee.claimedCents,
    });
  }
  if (fee.scheduledCents === 0) return { postings: [], feeCharge: null };
  // Cash needs a person to take it; bank card and mobile payments likewise need a counter terminal.
  assertTenderAllowed(deviceMode, fee.tender === 'stored_value' ? 'stored_value' : 'cash');
  const feeCharge: FeeCharge = { cardUid: fee.cardUid, feeKind: fee.feeKind, cents: fee.scheduledCents, tender: fee.tender };
  if (fee.tender !== 'stored_value') return { postings: [], feeCharge };
  if (Math.max(member.storedValueCents, 0) < fee.scheduledCents) {
    throw new CodedError('INSUFFICIENT_STORED_VALUE', `stored value covers ${Math.max(member.storedValueCents, 0)} of the ${fee.scheduledCents} cents fee`, {
      neededCents: fee.scheduledCents,
    });
  }
  return { postings: [{ account: 'stored_value', amount: -fee.scheduledCents }], feeCharge };
}

/**
 * Several fees charged together (a card's issue fee and its first annual fee) against one claimed total: each
 * is checked and charged in turn against the member as the earlier ones left them.
 */
export function chargeFees(
  fees: readonly Omit<FeeToCharge, 'claimedCents'>[],
  claimedTotalCents: number | undefined,
  member: MemberState,
  deviceMode: KioskMode,
): { postings: Posting[]; feeCharges: FeeCharge[]; totalCents: number } {
  const totalCents = fees.reduce((sum, fee) => sum + fee.scheduledCents, 0);
  if (claimedTotalCents !== undefined && claimedTotalCents !== totalCents) {
    throw new CodedError('FEE_MISMATCH', `the fees come to ${totalCents} cents, not ${claimedTotalCents}`, { scheduledCents: totalCents, claimedCents: claimedTotalCents });
  }
  const postings: Posting[] = [];
  const feeCharges: FeeCharge[] = [];
  let storedValueCents = member.storedValueCents;
  for (const fee of fees) {
    const charged = chargeFee({ ...fee, claimedCents: undefined }, { ...member, storedValueCents }, deviceMode);
    postings.push(...charged.postings);
    if (charged.feeCharge) feeCharges.push(charged.feeCharge);
    for (const posting of charged.postings) storedValueCents += posting.amount;
  }
  return { postings, feeCharges, totalCents };
}

/** The fees' lines in a transaction's trace. */
export function feeTrace(charges: readonly FeeCharge[]): string[] {
  return charges.map((charge) => `${charge.feeKind} fee ${charge.cents} cents by ${charge.tender}`);
}
