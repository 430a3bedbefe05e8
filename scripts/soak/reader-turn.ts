/**
 * One turn of a till on a kiosk's reader, and what it came to: for a top-up, a staff session first (the staff
 * card tapped, the PIN entered: the kiosk needs the hub for that); then the member's card tapped and checked on
 * the kiosk's screen; then the request posted without a card. After a kiosk restart a top-up's staff session
 * is a new one, so before posting under it the till asks by key whether an earlier attempt made a transaction.
 * The till (load-driver.ts) decides what each outcome means: wait, retry, or take the answer.
 */
import { DEMO_STAFF_CARD, DEMO_STAFF_PIN } from '../../hub/demo/seed-demo-data.ts';
import { exchangeWithKiosk, text, type ApiAnswer, type Exchange } from './kiosk-api.ts';
import type { Lane } from './kiosk-lane.ts';
import type { SoakAnswer } from './soak-answer.ts';

/** What one try at a request came to. */
export type Attempt =
  | { kind: 'cut'; got: string }
  | { kind: 'no_staff'; got: string }
  | { kind: 'tap_miss'; got: string }
  | { kind: 'answer'; status: number; json: ApiAnswer }
  | { kind: 'by_key'; id: string; status: string | null; resultCode: string | null };

type StaffSession = { kind: 'ok'; sessionId: string } | Extract<Attempt, { kind: 'cut' | 'no_staff' }>;

/** Staff sign-ins that opened a session, and why the others could not (by code), for the summary. */
export interface StaffTally {
  signIns: number;
  unavailable: Record<string, number>;
}

export interface ReaderTurnOptions {
  /** A single fetch attempt gives up after this long. */
  attemptTimeoutMs: number;
  /** How many times the kiosk's process has been started (see LoadOptions.kioskStarts). */
  kioskStarts?: (kioskId: string) => number;
}

export class ReaderTurns {
  readonly staff: StaffTally = { signIns: 0, unavailable: {} };

  constructor(private readonly opts: ReaderTurnOptions) {}

  /** One turn on the kiosk's reader: (top-ups: a staff session), tap the member's card, post the request. */
  async attempt(answer: SoakAnswer, lane: Lane): Promise<Attempt> {
    const { request } = answer;
    const startsBefore = this.opts.kioskStarts?.(lane.id);
    const restarted = () => startsBefore !== undefined && this.opts.kioskStarts?.(lane.id) !== startsBefore;
    let sessionId: string | null = null;
    if (request.kind === 'top_up') {
      const staff = await this.staffSession(lane);
      if (staff.kind !== 'ok') return staff;
      sessionId = staff.sessionId;
      if (answer.staffSessions.length > 0 && !answer.staffSessions.includes(sessionId)) {
        // Posted before under another staff session (the kiosk restarted since): the actor is part of the
        // request the key stands for, so ask the kiosk whether the earlier attempt made a transaction.
        const byKey = await this.exchange(`${lane.apiUrl}/tx/by-key/${encodeURIComponent(request.key)}`);
        if (!byKey.ok) return { kind: 'cut', got: `by-key ${byKey.error}` };
        if (byKey.status === 200 && typeof byKey.json.id === 'string') {
          const result = byKey.json.result;
          const status = byKey.json.status === 'done' && typeof result?.status === 'string' ? result.status : 'queued';
          return { kind: 'by_key', id: byKey.json.id, status, resultCode: typeof result?.code === 'string' ? result.code : null };
        }
        if (byKey.status >= 500) return { kind: 'cut', got: `by-key ${byKey.status}` };
        if (byKey.status !== 404) return { kind: 'answer', status: byKey.status, json: byKey.json };
      }
    }
    const tap = await this.exchange(`${lane.apiUrl}/sim/tap`, { uid: request.cardUid });
    if (!tap.ok) return { kind: 'cut', got: `tap ${tap.error}` };
    if (tap.status >= 500) return { kind: 'cut', got: `tap ${tap.status}` };
    const shown = tap.json.session;
    if (tap.status !== 200 || shown?.name !== 'member' || shown.member?.memberId !== request.memberId) {
      return { kind: 'tap_miss', got: `tap ${tap.status} ${text(shown?.name ?? tap.json.error?.code)} ${text(shown?.code)}`.trim() };
    }
    if (sessionId !== null && !answer.staffSessions.includes(sessionId)) answer.staffSessions.push(sessionId);
    const posted = await this.exchange(`${lane.apiUrl}${request.path}`, request.body, { 'idempotency-key': request.key });
    if (!posted.ok) return { kind: 'cut', got: posted.error };
    const code = posted.json.error?.code;
    // A kiosk that restarted between the tap (or the sign-in) and the post has neither any more: cut off.
    if ((code === 'SESSION_NO_CARD' || code === 'STAFF_SESSION_REQUIRED') && restarted()) return { kind: 'cut', got: `${posted.status} ${code} (the kiosk restarted)` };
    return { kind: 'answer', status: posted.status, json: posted.json };
  }

  /**
   * The kiosk's staff session, opened when there is none (staff card on the reader, then the PIN). `no_staff`
   * when none can be opened now: the hub is needed to check the PIN, and a kiosk that cannot reach it does not
   * even recognise the staff card.
   */
  private async staffSession(lane: Lane): Promise<StaffSession> {
    const current = await this.exchange(`${lane.apiUrl}/state`);
    if (!current.ok) return { kind: 'cut', got: `state ${current.error}` };
    if (current.status >= 500) return { kind: 'cut', got: `state ${current.status}` };
    const open = current.json.staff;
    if (open && typeof open.sessionId === 'string' && typeof open.expiresAt === 'string' && Date.parse(open.expiresAt) - Date.now() > 60_000) {
      return { kind: 'ok', sessionId: open.sessionId };
    }
    const unavailable = (why: string): StaffSession => {
      this.staff.unavailable[why] = (this.staff.unavailable[why] ?? 0) + 1;
      return { kind: 'no_staff', got: `no staff session: ${why}` };
    };
    // Signing in needs the hub: a kiosk that is not connected to it does not even recognise the staff card.
    if (current.json.connected !== true) return unavailable('the kiosk is not connected to the hub');
    const tap = await this.exchange(`${lane.apiUrl}/sim/tap`, { uid: DEMO_STAFF_CARD });
    if (!tap.ok) return { kind: 'cut', got: `staff tap ${tap.error}` };
    if (tap.status >= 500) return { kind: 'cut', got: `staff tap ${tap.status}` };
    const shown = tap.json.session;
    if (shown?.name !== 'error' || shown.code !== 'CARD_IS_STAFF') {
      return unavailable(`staff card tap showed ${text(shown?.name ?? tap.status)} ${text(shown?.code)}${shown?.offline === true ? ' (offline)' : ''}`.trim());
    }
    const signIn = await this.exchange(`${lane.apiUrl}/staff/sign-in`, { pin: DEMO_STAFF_PIN });
    if (!signIn.ok) return { kind: 'cut', got: `sign-in ${signIn.error}` };
    const sessionId = signIn.json.staff?.sessionId;
    if (signIn.status === 200 && typeof sessionId === 'string') {
      this.staff.signIns += 1;
      return { kind: 'ok', sessionId };
    }
    return unavailable(`sign-in ${signIn.status} ${text(signIn.json.error?.code)}`.trim());
  }

  /** GET, or POST `body` as JSON; never throws: a kiosk killed mid-request is an answer too. */
  private exchange(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Exchange> {
    return exchangeWithKiosk(url, this.opts.attemptTimeoutMs, body, headers);
  }
}
