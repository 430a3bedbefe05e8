/**
 * The full history of the member on screen, a page at a time (GET /api/member/history), asked of the hub with the
 * look-up member.history. Only for the card on the kiosk's own reader: a request naming a card or a member is
 * refused (CARD_NOT_ON_READER), and the hub answers for that card's member only. A card the member look-up refuses
 * (lost, frozen…) shows no member, so there is no history to page either (SESSION_NO_CARD).
 *
 * Without the hub the kiosk says so (HUB_REQUIRED, 503): the screen then shows the recent history of the member
 * view it has (cached views included), never an older page it cannot vouch for. An answer that arrives after the
 * card on the reader changed is dropped: one member's history is never shown to the next person.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import { isErrorCode } from '../../core/errors/codes.ts';
import type { HistoryEntry } from '../../core/wire/lookup.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { KioskError } from './kiosk-errors.ts';

/** What the screen asks for: the cursor of a page's `next` (absent: the newest) and how many entries (1–50). */
export interface MemberHistoryRequest {
  readonly before?: string | undefined;
  readonly limit: number;
}

export interface MemberHistoryPage {
  entries: HistoryEntry[];
  /** The cursor of the next older page; null: nothing older. */
  next: string | null;
}

/** Fields that would name whose history: the kiosk never takes them from a request. */
const NAMING_FIELDS = ['cardUid', 'uid', 'memberId', 'card', 'member'];

export interface MemberHistory {
  page(request: MemberHistoryRequest & Readonly<Record<string, unknown>>): Promise<MemberHistoryPage>;
}

export function createMemberHistory(deps: {
  session: Pick<KioskSession, 'currentCardUid'>;
  link: Pick<HubLink, 'isConnected' | 'lookup'>;
  /** How long the hub is waited for; default 3000 ms. */
  lookupTimeoutMs?: number;
}): MemberHistory {
  const timeoutMs = deps.lookupTimeoutMs ?? 3000;
  const hubRequired = (message: string) => new CodedError('HUB_REQUIRED', message);

  return {
    async page(request) {
      if (NAMING_FIELDS.some((field) => field in request)) {
        throw new KioskError('CARD_NOT_ON_READER', 'a history request names no card or member: the kiosk shows the history of the card on its reader');
      }
      const cardUid = deps.session.currentCardUid();
      if (!cardUid) throw new KioskError('SESSION_NO_CARD', 'no member card on the reader');
      if (!deps.link.isConnected()) throw hubRequired('the full history is kept at the hub, which cannot be reached now');
      const answer = await deps.link.lookup(
        { op: 'member.history', cardUid, limit: request.limit, ...(request.before !== undefined ? { before: request.before } : {}) },
        timeoutMs,
      );
      if (!answer) throw hubRequired('the hub did not answer the history request');
      // The member may have left (or another card been tapped) while the hub answered.
      if (deps.session.currentCardUid() !== cardUid) throw new KioskError('SESSION_NO_CARD', 'the card on the reader changed');
      if (!answer.ok) throw new CodedError(isErrorCode(answer.code) ? answer.code : 'LOOKUP_RESPONSE_MALFORMED', answer.message);
      if (!('entries' in answer)) throw new CodedError('LOOKUP_RESPONSE_MALFORMED');
      return { entries: answer.entries, next: answer.next };
    },
  };
}
