/**
 * The soak's paced load through the kiosks' HTTP API, as a few tills would make it: cash purchases, small
 * stored-value purchases and staff top-ups over the demo cards, about `rate` requests a second in all.
 *
 * The kiosk acts only for the card on its own reader (a body naming a card is refused), so a till first taps
 * the member's card on the kiosk's simulated reader (POST /api/sim/tap), checks the kiosk shows that member,
 * then posts the transaction without a card. One kiosk has one reader: the tills take turns on it (a lock per
 * kiosk around tap → transaction). Top-ups also need a staff session on the kiosk: the demo store manager taps
 * the staff card and enters the PIN (POST /api/staff/sign-in), which needs the hub; the session lives in the
 * kiosk process and is gone after a kill, so the till signs in again. While nobody can sign in (the hub or the
 * broker is down, the kiosk not connected yet) a top-up is postponed, not sent: no staff session, no
 * transaction, and nothing to count as refused. Its till leaves it waiting (still under way, to be answered
 * like any other) and serves its next customer; the top-up goes in once a staff member can sign in again.
 *
 * Every logical request carries its own Idempotency-Key. A request the chaos cut off (fetch threw: the kiosk
 * was killed mid-request or is not back yet; or a 5xx) is sent again with the SAME key and the same body
 * until it gets an answer, exactly as a till must retry, tapping the card again first; the kiosk must answer
 * a repeat with the transaction it made the first time (`replayed: true`), never a second one. A top-up's
 * request also holds the kiosk's staff session (the actor the kiosk adds): after a kiosk restart that session
 * is a new one, so before posting under it the till asks the kiosk by key (GET /api/tx/by-key/:key) whether
 * the earlier attempt made a transaction, and takes that answer if it did (`recoveredByKey`).
 *
 * Each request also carries a mark the ledger keeps (a purchase's sku is its key, a top-up's amount is unique
 * in the run), so the file checks can find every ledger transaction a request produced without trusting the
 * kiosk's bookkeeping.
 */
import { DEMO_MEMBERS, DEMO_STAFF_CARD, DEMO_STAFF_PIN } from '../../hub/demo/seed-demo-data.ts';
import type { Random } from './random.ts';

/** overdraft_purchase: a stored-value purchase far beyond any balance, which the hub must record as refused. */
export type SoakRequestKind = 'cash_purchase' | 'stored_value_purchase' | 'overdraft_purchase' | 'top_up';

export const SOAK_REQUEST_KINDS: readonly SoakRequestKind[] = ['cash_purchase', 'stored_value_purchase', 'overdraft_purchase', 'top_up'];

/** The bodies name no card and no staff member: the kiosk takes the card from its reader, the actor from its staff session. */
export interface PurchaseRequestBody {
  lines: { sku: string; category: string; qty: number; unitPriceCents: number }[];
  payments: { method: 'cash' | 'stored_value'; amountCents: number }[];
}

export interface TopUpRequestBody {
  amountCents: number;
  tender: 'cash';
}

export interface SoakRequest {
  key: string;
  /** 0, 1, 2… in the order the requests were made. */
  index: number;
  kind: SoakRequestKind;
  kioskId: string;
  path: '/tx/purchase' | '/tx/top-up';
  body: PurchaseRequestBody | TopUpRequestBody;
  memberId: string;
  /** The card the till taps on the kiosk's reader before posting. */
  cardUid: string;
  /** What the request moves: the purchase total, or the top-up amount. */
  amountCents: number;
}

export interface SoakAnswer {
  request: SoakRequest;
  /** accepted: the kiosk answered an id (200/202); refused: a 4xx; unanswered: still cut off when the load gave up. */
  outcome: 'accepted' | 'refused' | 'unanswered';
  /** Every distinct transaction id the kiosk answered for this key (more than one: the key made two transactions). */
  ids: string[];
  httpStatus: number | null;
  /** The last answer's status: applied / exists / rejected (the hub answered) or queued. */
  status: string | null;
  /** The hub's code when the answer was a (recorded) refusal, e.g. INSUFFICIENT_STORED_VALUE. */
  resultCode: string | null;
  /** A 4xx answer's error. */
  refusal: { code: string; message: string } | null;
  /** Tries at the transaction (tap, then post), including those cut off; not the waits for a staff session. */
  attempts: number;
  /** Attempts cut off by a kill (fetch threw or a 5xx, on the tap or the post). */
  cutOff: number;
  /** Whether an answer came back as a replay of an earlier attempt's transaction. */
  replayed: boolean;
  /** Later answers for the key that named another id than the first answer, or were not marked replayed. */
  replayMismatches: string[];
  /** Sent once more on purpose after its answer (a double tap): the answer must be a replay. */
  repeated: boolean;
  /** From the first attempt to the first answer, ms (null: never answered). */
  answerMs: number | null;
  /** Top-ups: the kiosk staff sessions the till posted this request under (the ledger's actor must be one of them). */
  staffSessions: string[];
  /** Top-ups: times it was held back because no staff session could be opened (the hub unreachable): postponed, not sent. */
  staffWaits: number;
  /** Top-ups: the answer came from GET /api/tx/by-key after the kiosk's staff session changed (a restart). */
  recoveredByKey: boolean;
  /** Taps after which the kiosk did not show this member (busy, or the look-up still running): tapped again. */
  tapMisses: number;
  /** Every attempt: when it was sent (ISO), how long it took, and what came back ("ECONNREFUSED", "202 queued"…). */
  log: { at: string; ms: number; got: string }[];
}

export interface LoadOptions {
  /** kiosk id → its API base, e.g. http://127.0.0.1:41234/api */
  kiosks: { id: string; apiUrl: string }[];
  /** Requests per second over all tills. */
  rate: number;
  tills: number;
  random: Random;
  /** Prefix of every Idempotency-Key, unique per run. */
  keyPrefix: string;
  /**
   * How many times the kiosk's process has been started: a staff session or a tap from before a restart is
   * gone, so a STAFF_SESSION_REQUIRED or SESSION_NO_CARD from a new process is a cut-off, not a refusal.
   */
  kioskStarts?: (kioskId: string) => number;
  /** A single fetch attempt gives up after this long (the kiosk itself waits ≤ 2 s for the hub, ≤ 3 s for a tap). */
  attemptTimeoutMs?: number;
  /** Share of answered requests sent once more with the same key on purpose; default 0.05. */
  repeatShare?: number;
}

const DEMO_CUSTOMERS = DEMO_MEMBERS.map((m) => ({ memberId: m.memberId, cardUid: m.card }));

/**
 * The request mix: 1 in 5 top-ups, 3 in 10 small stored-value purchases, 1 in 50 stored-value purchases far
 * beyond any balance (a business refusal the hub records: delivered, never applied), the rest cash purchases.
 */
export function makeRequest(index: number, kioskId: string, keyPrefix: string, random: Random): SoakRequest {
  const customer = random.pick(DEMO_CUSTOMERS);
  const key = `${keyPrefix}-${index}`;
  const roll = random.next();
  if (roll < 0.2) {
    // Unique in the run: the ledger's payload alone then tells which request a top-up came from.
    const amountCents = 1_000 + index;
    return {
      key, index, kind: 'top_up', kioskId, path: '/tx/top-up', memberId: customer.memberId, cardUid: customer.cardUid, amountCents,
      body: { amountCents, tender: 'cash' },
    };
  }
  const kind: SoakRequestKind = roll < 0.5 ? 'stored_value_purchase' : roll < 0.52 ? 'overdraft_purchase' : 'cash_purchase';
  const amountCents = kind === 'stored_value_purchase' ? random.int(1, 6) * 100 : kind === 'overdraft_purchase' ? 100_000_000 : random.int(5, 50) * 100;
  return {
    key, index, kind, kioskId, path: '/tx/purchase', memberId: customer.memberId, cardUid: customer.cardUid, amountCents,
    body: {
      // The sku is the key: the mark by which the ledger's payloads name the request.
      lines: [{ sku: key, category: 'grocery', qty: 1, unitPriceCents: amountCents }],
      payments: [{ method: kind === 'cash_purchase' ? 'cash' : 'stored_value', amountCents }],
    },
  };
}

interface ApiAnswer {
  id?: unknown;
  status?: unknown;
  replayed?: unknown;
  result?: { code?: unknown; status?: unknown } | null;
  error?: { code?: unknown; message?: unknown };
  session?: { name?: unknown; code?: unknown; offline?: unknown; member?: { memberId?: unknown } };
  staff?: { sessionId?: unknown; expiresAt?: unknown } | null;
  connected?: unknown;
}

/** One HTTP exchange with a kiosk: its status and JSON, or why there was none (the kiosk dead, or too slow). */
type Exchange = { ok: true; status: number; json: ApiAnswer } | { ok: false; error: string };

/** What one try at a request came to. */
type Attempt =
  | { kind: 'cut'; got: string }
  | { kind: 'no_staff'; got: string }
  | { kind: 'tap_miss'; got: string }
  | { kind: 'answer'; status: number; json: ApiAnswer }
  | { kind: 'by_key'; id: string; status: string | null; resultCode: string | null };

type StaffSession = { kind: 'ok'; sessionId: string } | Extract<Attempt, { kind: 'cut' | 'no_staff' }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One kiosk's reader: tap → transaction is one turn, never interleaved with another till's. */
class Lane {
  private tail: Promise<void> = Promise.resolve();
  /** Until when the last try found no staff session could be opened: top-ups wait without asking again. */
  noStaffUntil = 0;

  constructor(
    readonly id: string,
    readonly apiUrl: string,
  ) {}

  async turn<T>(work: () => Promise<T>): Promise<T> {
    const before = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await before;
    try {
      return await work();
    } finally {
      release();
    }
  }
}

export class LoadDriver {
  private readonly answers: SoakAnswer[] = [];
  private readonly inFlight = new Set<SoakAnswer>();
  private readonly lanes: Lane[];
  private stopping = false;
  private giveUpAt = Number.POSITIVE_INFINITY;
  private nextIndex = 0;
  private nextSlotAt = 0;
  private tills: Promise<void>[] = [];
  /** Every request under way, including top-ups a till left waiting for a staff session. */
  private readonly sending = new Set<Promise<void>>();
  /** Staff sign-ins that opened a session, and why the others could not (by code), for the summary. */
  readonly staff = { signIns: 0, unavailable: {} as Record<string, number> };

  constructor(private readonly opts: LoadOptions) {
    this.lanes = opts.kiosks.map((k) => new Lane(k.id, k.apiUrl));
  }

  /**
   * Before the load, with the hub up: every demo card tapped once on every kiosk, each shown from the hub, so
   * each kiosk's member cache knows every customer and a tap while the hub is down still shows the member.
   */
  async prepare(): Promise<void> {
    for (const lane of this.lanes) {
      for (const customer of DEMO_CUSTOMERS) {
        const tap = await this.exchange(`${lane.apiUrl}/sim/tap`, { uid: customer.cardUid });
        const session = tap.ok ? tap.json.session : undefined;
        if (!tap.ok || tap.status !== 200 || session?.name !== 'member' || session.member?.memberId !== customer.memberId || session.offline === true) {
          throw new Error(`${lane.id}: tapping ${customer.memberId}'s card did not show the member from the hub: ${tap.ok ? `${tap.status} ${JSON.stringify(tap.json)}` : tap.error}`);
        }
      }
      await this.exchange(`${lane.apiUrl}/session/reset`, {});
    }
  }

  start(): void {
    this.nextSlotAt = Date.now();
    this.tills = Array.from({ length: this.opts.tills }, (_, i) => this.till(i));
  }

  /** Stop making new requests; the ones under way keep retrying until answered or `giveUpAfterMs` from now. */
  async stop(giveUpAfterMs: number): Promise<void> {
    this.stopping = true;
    this.giveUpAt = Date.now() + giveUpAfterMs;
    await Promise.all(this.tills);
    await Promise.all([...this.sending]);
  }

  /** Requests made so far, and how many are waiting for an answer right now. */
  progress(): { made: number; inFlight: number; accepted: number; cutOff: number; staffWaits: number } {
    return {
      made: this.nextIndex,
      inFlight: this.inFlight.size,
      accepted: this.answers.filter((a) => a.outcome === 'accepted').length,
      cutOff: this.answers.reduce((n, a) => n + (a.cutOff > 0 ? 1 : 0), 0),
      staffWaits: this.answers.reduce((n, a) => n + (a.staffWaits > 0 ? 1 : 0), 0),
    };
  }

  results(): SoakAnswer[] {
    return [...this.answers];
  }

  /** The next send slot of the shared pace; a till blocked by a kill does not bank slots for a burst later. */
  private async paced(): Promise<void> {
    const interval = 1000 / this.opts.rate;
    const now = Date.now();
    this.nextSlotAt = Math.max(this.nextSlotAt + interval, now - interval);
    const wait = this.nextSlotAt - now;
    if (wait > 0) await sleep(wait);
  }

  private async till(tillNo: number): Promise<void> {
    const lanes = this.lanes;
    while (!this.stopping) {
      await this.paced();
      if (this.stopping) break;
      const index = this.nextIndex;
      this.nextIndex += 1;
      const lane = lanes[(tillNo + index) % lanes.length];
      if (!lane) throw new Error('no kiosk to send to');
      const request = makeRequest(index, lane.id, this.opts.keyPrefix, this.opts.random);
      // The till waits for the answer, except for a top-up that must wait for a staff session: that one is
      // left waiting (still under way, still to be answered) and the till serves its next customer.
      await new Promise<void>((moveOn) => {
        const sending = this.send(request, lane, moveOn).finally(() => {
          this.sending.delete(sending);
          moveOn();
        });
        this.sending.add(sending);
      });
    }
  }

  private async send(request: SoakRequest, lane: Lane, moveOn: () => void): Promise<void> {
    const answer: SoakAnswer = {
      request, outcome: 'unanswered', ids: [], httpStatus: null, status: null, resultCode: null, refusal: null,
      attempts: 0, cutOff: 0, replayed: false, replayMismatches: [], repeated: false, answerMs: null,
      staffSessions: [], staffWaits: 0, recoveredByKey: false, tapMisses: 0, log: [],
    };
    this.answers.push(answer);
    this.inFlight.add(answer);
    const sentAt = Date.now();
    try {
      await this.sendUntilAnswered(answer, lane, moveOn);
      if (answer.outcome !== 'unanswered') answer.answerMs = Date.now() - sentAt;
      // Now and then a till sends an answered request again on purpose (a double tap on "pay"): the kiosk must
      // answer with the same transaction and replayed: true.
      if (answer.outcome === 'accepted' && this.opts.random.next() < (this.opts.repeatShare ?? 0.05)) {
        answer.repeated = true;
        await this.sendUntilAnswered(answer, lane, moveOn);
      }
    } finally {
      this.inFlight.delete(answer);
    }
  }

  private async sendUntilAnswered(answer: SoakAnswer, lane: Lane, moveOn: () => void): Promise<void> {
    for (;;) {
      if (Date.now() > this.giveUpAt) return;
      if (answer.request.kind === 'top_up' && lane.noStaffUntil > Date.now()) {
        // Another top-up just found that nobody can sign in on this kiosk: wait without asking again.
        answer.staffWaits += 1;
        moveOn();
        await sleep(lane.noStaffUntil - Date.now() + this.opts.random.int(0, 200));
        continue;
      }
      const attemptAt = Date.now();
      const note = (got: string) => answer.log.push({ at: new Date(attemptAt).toISOString(), ms: Date.now() - attemptAt, got });
      const tried = await lane.turn(() => this.attempt(answer, lane));
      switch (tried.kind) {
        case 'no_staff':
          // Nobody can sign in right now: the top-up waits, unsent, and its till moves on to the next customer.
          note(tried.got);
          answer.staffWaits += 1;
          lane.noStaffUntil = Date.now() + 300;
          moveOn();
          await sleep(300 + this.opts.random.int(0, 200));
          continue;
        case 'tap_miss':
          note(tried.got);
          answer.attempts += 1;
          answer.tapMisses += 1;
          await sleep(100 + this.opts.random.int(0, 200));
          continue;
        case 'cut':
          // Cut off: connection refused or reset (the kiosk is dead or not back yet), or no answer in time.
          note(tried.got);
          answer.attempts += 1;
          answer.cutOff += 1;
          await sleep(100 + this.opts.random.int(0, 200));
          continue;
        case 'by_key': {
          note(`by-key ${tried.id} ${tried.status ?? ''}`);
          answer.attempts += 1;
          answer.recoveredByKey = true;
          const first = answer.ids[0];
          if (first !== undefined && first !== tried.id) answer.replayMismatches.push(`${tried.id} (by key)`);
          if (!answer.ids.includes(tried.id)) answer.ids.push(tried.id);
          answer.outcome = 'accepted';
          answer.httpStatus = 200;
          answer.status = tried.status;
          answer.resultCode = tried.resultCode;
          return;
        }
        case 'answer':
          break;
      }
      answer.attempts += 1;
      const { status, json } = tried;
      const said = typeof json.status === 'string' ? json.status : typeof json.error?.code === 'string' ? json.error.code : '';
      note(`${status} ${said}${json.replayed === true ? ' replayed' : ''}`);
      answer.httpStatus = status;
      if (status >= 500) {
        answer.cutOff += 1;
        await sleep(100 + this.opts.random.int(0, 200));
        continue;
      }
      if ((status === 200 || status === 202) && typeof json.id === 'string') {
        const first = answer.ids[0];
        if (json.replayed === true) answer.replayed = true;
        // A second answer for the key must name the first one's transaction, as a replay.
        if (first !== undefined && (first !== json.id || json.replayed !== true)) answer.replayMismatches.push(`${json.id}${json.replayed === true ? '' : ' (not marked replayed)'}`);
        if (!answer.ids.includes(json.id)) answer.ids.push(json.id);
        answer.outcome = 'accepted';
        answer.status = typeof json.status === 'string' ? json.status : null;
        answer.resultCode = typeof json.result?.code === 'string' ? json.result.code : null;
        return;
      }
      answer.outcome = 'refused';
      answer.refusal = {
        code: typeof json.error?.code === 'string' ? json.error.code : `HTTP_${status}`,
        message: typeof json.error?.message === 'string' ? json.error.message : JSON.stringify(json),
      };
      return;
    }
  }

  /** One turn on the kiosk's reader: (top-ups: a staff session), tap the member's card, post the request. */
  private async attempt(answer: SoakAnswer, lane: Lane): Promise<Attempt> {
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
  private async exchange(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Exchange> {
    try {
      const response = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.opts.attemptTimeoutMs ?? 10_000),
      });
      return { ok: true, status: response.status, json: (await response.json()) as ApiAnswer };
    } catch (error) {
      return { ok: false, error: describeFetchError(error) };
    }
  }
}

/** A string or number from an answer as text; anything else as nothing. */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** undici's "fetch failed" hides the reason in `cause`: ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, a timeout. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if ((error as Error).name === 'TimeoutError') return 'timeout';
  return (error as Error).message ?? String(error);
}
