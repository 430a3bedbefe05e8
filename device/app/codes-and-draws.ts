/**
 * Redemption codes (兑换码 / 防伪码) and points draws (积分抽奖) at the kiosk. Both are decided at the hub only:
 *
 * - a code is read here first (core/codes/redemption-code.ts): a typo the check symbol catches is refused
 *   (CODE_CHECK_DIGIT) before anything is asked or queued, and only the code's SHA-256 leaves the kiosk;
 * - without the hub (not connected, or it announced itself offline) the kiosk says so (HUB_REQUIRED, 503) and
 *   queues nothing: no redemption or draw entry is left waiting in the outbox to be decided later — the
 *   refusal comes from the submitter's admit step (transaction-admission.ts), so a retry of a request already queued with
 *   its Idempotency-Key is still answered with what was queued;
 * - the anti-counterfeit check (code.verify) and the list of open draws (draws.open) are look-ups; the hub
 *   answers at most 10 code checks a minute per kiosk (CODE_VERIFY_RATE_LIMITED, 429).
 *
 * Redeeming and entering are transactions for the card on the reader (member-transactions.ts), like every member action.
 */
import { readRedemptionCode, redemptionCodeDigest } from '../../core/codes/redemption-code.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import { isErrorCode } from '../../core/errors/codes.ts';
import type { CodeVerificationView, LookupRequest, LookupResponse, OpenDraw } from '../../core/wire/lookup.ts';
import type { HubLink } from '../link/hub-link.ts';

/**
 * The kinds a kiosk offers only while the hub is there to decide them. A card return (退卡) pays money out at the
 * counter: it is never queued to be refused later. Nor is a card issued (办卡) or serviced: the member leaves with
 * a card the hub must know (a UID already taken, a type or fee the hub's rules refuse would surface only later).
 */
export const HUB_DECIDED_KINDS: ReadonlySet<string> = new Set(['code_redeem', 'draw_enter', 'card_return', 'card_issue', 'card_service']);

/** The SHA-256 of what was typed, once it reads as a code: CODE_MALFORMED or CODE_CHECK_DIGIT otherwise. */
export function codeDigestOf(typed: unknown): string {
  const reading = readRedemptionCode(typeof typed === 'string' ? typed : '');
  if (!reading.ok) throw new CodedError(reading.reason === 'check_digit' ? 'CODE_CHECK_DIGIT' : 'CODE_MALFORMED');
  return redemptionCodeDigest(reading.code);
}

export function assertHubThere(link: Pick<HubLink, 'isConnected'>): void {
  if (!link.isConnected()) throw new CodedError('HUB_REQUIRED', 'this is decided at the hub, which cannot be reached now: nothing was queued');
}

export interface CodeAndDrawLookups {
  verifyCode(typed: string): Promise<CodeVerificationView>;
  openDraws(): Promise<OpenDraw[]>;
}

export function createCodeAndDrawLookups(deps: { link: Pick<HubLink, 'isConnected' | 'lookup'>; lookupTimeoutMs?: number }): CodeAndDrawLookups {
  const timeoutMs = deps.lookupTimeoutMs ?? 3000;

  async function ask(request: LookupRequest): Promise<Exclude<LookupResponse, { ok: false }>> {
    assertHubThere(deps.link);
    const answer = await deps.link.lookup(request, timeoutMs);
    if (!answer) throw new CodedError('HUB_REQUIRED', 'the hub did not answer: nothing was checked');
    if (!answer.ok) throw new CodedError(isErrorCode(answer.code) ? answer.code : 'LOOKUP_RESPONSE_MALFORMED', answer.message);
    return answer;
  }

  return {
    async verifyCode(typed) {
      const answer = await ask({ op: 'code.verify', codeDigest: codeDigestOf(typed) });
      if (!('code' in answer)) throw new CodedError('LOOKUP_RESPONSE_MALFORMED');
      return answer.code;
    },
    async openDraws() {
      const answer = await ask({ op: 'draws.open' });
      if (!('draws' in answer)) throw new CodedError('LOOKUP_RESPONSE_MALFORMED');
      return answer.draws;
    },
  };
}
