/**
 * The member's PIN at the kiosk: set it the first time with the card on the reader (or a clerk resets it in
 * their staff session), and type it where the chain's rules ask (a large stored-value payment). The hub checks
 * it and gives this kiosk a proof for that member for a few minutes; the kiosk names the proof in the
 * transaction and forgets it when another card is tapped. Both need the hub: offline, a payment that needs the
 * PIN is refused before anything is queued.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import { isErrorCode } from '../../core/errors/codes.ts';
import { memberPinRequired } from '../../core/ledger/member-pin-rules.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import { KioskError } from './kiosk-errors.ts';

export interface MemberPin {
  /** Sets the PIN of the member whose card is on the reader (first time, or as the signed-in clerk). */
  set(cardUid: string, pin: string): Promise<void>;
  /** Checks the PIN of the member whose card is on the reader; keeps the proof for that card. */
  verify(cardUid: string, pin: string): Promise<{ expiresAt: string }>;
  /** The proof a stored-value payment of this size needs for this card; MEMBER_PIN_REQUIRED without one. */
  proofFor(cardUid: string, storedValueCents: number): string | undefined;
  /** A member without their card: phone + PIN → the card to report lost, and the proof. */
  verifyByPhone(phone: string, pin: string): Promise<{ cardUid: string; proofId: string }>;
}

export function createMemberPin(deps: {
  lookup: (req: LookupRequest, timeoutMs: number) => Promise<LookupResponse | null>;
  bundle: () => Pick<RulesBundle, 'memberPin'> | null;
  staff: () => StaffSessionView | null;
  now?: () => number;
  lookupTimeoutMs?: number;
}): MemberPin {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.lookupTimeoutMs ?? 5000;
  let proof: { cardUid: string; proofId: string; expiresAt: string } | null = null;

  async function ask(req: LookupRequest): Promise<Exclude<LookupResponse, { ok: false }>> {
    const answer = await deps.lookup(req, timeoutMs);
    if (!answer) throw new KioskError('HUB_UNREACHABLE', 'the member PIN is checked by the hub, which cannot be reached');
    if (!answer.ok) throw new CodedError(isErrorCode(answer.code) ? answer.code : 'MEMBER_PIN_WRONG', answer.message, answer.details);
    return answer;
  }

  return {
    async set(cardUid, pin) {
      const staff = deps.staff();
      await ask({ op: 'member.setPin', cardUid, pin, ...(staff ? { staffSessionId: staff.sessionId } : {}) });
    },

    async verify(cardUid, pin) {
      const answer = await ask({ op: 'member.verifyPin', cardUid, pin });
      if (!('pinProof' in answer)) throw new CodedError('LOOKUP_RESPONSE_MALFORMED');
      proof = { cardUid, ...answer.pinProof };
      return { expiresAt: answer.pinProof.expiresAt };
    },

    proofFor(cardUid, storedValueCents) {
      const bundle = deps.bundle();
      if (!bundle || !memberPinRequired(bundle, storedValueCents)) return undefined;
      if (proof && proof.cardUid === cardUid && Date.parse(proof.expiresAt) > now()) return proof.proofId;
      throw new KioskError('MEMBER_PIN_REQUIRED', "this payment needs the member's PIN");
    },

    async verifyByPhone(phone, pin) {
      const answer = await ask({ op: 'member.verifyPhonePin', phone, pin });
      if (!('pinProof' in answer) || !answer.cardUid) throw new CodedError('LOOKUP_RESPONSE_MALFORMED');
      return { cardUid: answer.cardUid, proofId: answer.pinProof.proofId };
    },
  };
}
