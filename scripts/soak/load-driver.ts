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
 *
 * This file paces the tills and holds each request's retry policy; the parts live beside it: the requests and
 * their mix (soak-request.ts), the record of what came of each (soak-answer.ts), one turn on a kiosk's reader
 * (reader-turn.ts, over kiosk-lane.ts and kiosk-api.ts).
 */
import { exchangeWithKiosk, type Exchange } from './kiosk-api.ts';
import { Lane } from './kiosk-lane.ts';
import type { Random } from './random.ts';
import { ReaderTurns, type StaffTally } from './reader-turn.ts';
import { unanswered, type SoakAnswer } from './soak-answer.ts';
import { DEMO_CUSTOMERS, makeRequest, type SoakRequest } from './soak-request.ts';

export { makeRequest, SOAK_REQUEST_KINDS, type PurchaseRequestBody, type SoakRequest, type SoakRequestKind, type TopUpRequestBody } from './soak-request.ts';
export type { SoakAnswer } from './soak-answer.ts';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  private readonly turns: ReaderTurns;
  /** Staff sign-ins that opened a session, and why the others could not (by code), for the summary. */
  readonly staff: StaffTally;

  constructor(private readonly opts: LoadOptions) {
    this.lanes = opts.kiosks.map((k) => new Lane(k.id, k.apiUrl));
    this.turns = new ReaderTurns({ attemptTimeoutMs: opts.attemptTimeoutMs ?? 10_000, kioskStarts: opts.kioskStarts });
    this.staff = this.turns.staff;
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
    const answer = unanswered(request);
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
      const tried = await lane.turn(() => this.turns.attempt(answer, lane));
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

  /** GET, or POST `body` as JSON; never throws: a kiosk killed mid-request is an answer too. */
  private exchange(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Exchange> {
    return exchangeWithKiosk(url, this.opts.attemptTimeoutMs ?? 10_000, body, headers);
  }
}
