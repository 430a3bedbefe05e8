import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from '../rules/bundle.ts';
import type { MemberPinProofState } from './types.ts';
import { SESSION_CLOCK_SLACK_MS } from './staff-rules.ts';

/** Whether the chain's rules ask for the member's PIN for a stored-value payment of this size. */
export function memberPinRequired(bundle: Pick<RulesBundle, 'memberPin'>, storedValueCents: number, aboveCents?: number | null): boolean {
  const threshold = aboveCents !== undefined ? aboveCents : (bundle.memberPin?.storedValueAboveCents ?? null);
  return threshold !== null && storedValueCents > threshold;
}

/**
 * A PIN proof counts for the member it was given for, on the kiosk that asked, at a time it was open (a
 * queued transaction made while it was open still counts when it arrives later).
 */
export function assertMemberPinProof(
  tx: { deviceId: string; createdAt: string; memberPinProof?: string | undefined },
  memberId: string,
  proof: MemberPinProofState | null | undefined,
): void {
  if (tx.memberPinProof === undefined) throw new CodedError('MEMBER_PIN_REQUIRED');
  if (!proof || proof.proofId !== tx.memberPinProof || proof.memberId !== memberId || proof.deviceId !== tx.deviceId) {
    throw new CodedError('MEMBER_PIN_REQUIRED', 'the PIN proof is unknown, or for another member or kiosk');
  }
  const at = Date.parse(tx.createdAt);
  if (at < Date.parse(proof.openedAt) - SESSION_CLOCK_SLACK_MS || at > Date.parse(proof.expiresAt)) {
    throw new CodedError('MEMBER_PIN_REQUIRED', 'the PIN proof had expired when the transaction was made');
  }
}
