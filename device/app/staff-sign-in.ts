/**
 * Staff on a kiosk: a clerk taps their staff card (the hub answers the look-up CARD_IS_STAFF), types their PIN,
 * and the hub opens a staff session bound to this kiosk. Until it ends (sign-out, or its expiry) the clerk's
 * staff transactions name it as their actor; members tap their own cards meanwhile. The PIN is checked by the
 * hub only (with its lockout): signing in needs the hub, so a kiosk without it takes no staff actions.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import { isErrorCode } from '../../core/errors/codes.ts';
import type { LookupRequest, LookupResponse, StaffSessionView } from '../../core/wire/lookup.ts';
import type { StaffActor, TxKind } from '../../core/wire/transaction.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { KioskError } from './kiosk-errors.ts';

export interface StaffSignIn {
  /** The staff card on the reader and this PIN. STAFF_CARD_UNKNOWN when no staff card was tapped. */
  signIn(pin: string): Promise<StaffSessionView>;
  signOut(): Promise<void>;
  /** The open session, or null (never signed in, signed out, or expired). */
  current(): StaffSessionView | null;
  /** The actor a staff transaction of `kind` names: STAFF_SESSION_REQUIRED without a session, STAFF_UNAUTHORIZED when the role may not. */
  actorFor(kind: TxKind): StaffActor;
}

export function createStaffSignIn(deps: {
  session: Pick<KioskSession, 'state' | 'reset'>;
  lookup: (req: LookupRequest, timeoutMs: number) => Promise<LookupResponse | null>;
  now?: () => number;
  lookupTimeoutMs?: number;
  changed?: () => void;
}): StaffSignIn {
  const now = deps.now ?? Date.now;
  let open: StaffSessionView | null = null;

  function current(): StaffSessionView | null {
    if (open && Date.parse(open.expiresAt) <= now()) open = null;
    return open;
  }

  return {
    async signIn(pin) {
      const state = deps.session.state();
      const cardUid = state.name === 'error' && state.code === 'CARD_IS_STAFF' ? state.cardUid : null;
      if (!cardUid) throw new KioskError('STAFF_CARD_UNKNOWN', 'tap a staff card first');
      const answer = await deps.lookup({ op: 'staff.signIn', cardUid, pin }, deps.lookupTimeoutMs ?? 5000);
      if (!answer) throw new KioskError('HUB_UNREACHABLE', 'staff sign-in needs the hub');
      if (!answer.ok) throw new CodedError(isErrorCode(answer.code) ? answer.code : 'STAFF_UNAUTHORIZED', answer.message, answer.details);
      if (!('staffSession' in answer)) throw new CodedError('LOOKUP_RESPONSE_MALFORMED');
      open = answer.staffSession;
      // The staff card leaves the screen: the next tap is the member's.
      deps.session.reset();
      deps.changed?.();
      return open;
    },

    async signOut() {
      const closing = open;
      open = null;
      deps.changed?.();
      // Best effort: the session also ends by itself at its expiry.
      if (closing) await deps.lookup({ op: 'staff.signOut', sessionId: closing.sessionId }, deps.lookupTimeoutMs ?? 5000).catch(() => null);
    },

    current,

    actorFor(kind) {
      const session = current();
      if (!session) throw new KioskError('STAFF_SESSION_REQUIRED', `${kind} needs a staff member signed in on this kiosk (staff card and PIN)`);
      if (!session.mayDo.includes(kind)) throw new KioskError('STAFF_UNAUTHORIZED', `role ${session.role} may not ${kind}`);
      return { staffId: session.staffId, sessionId: session.sessionId };
    },
  };
}
