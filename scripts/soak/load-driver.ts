/**
 * The soak's paced load through the kiosks' HTTP API, as a few tills would make it: cash purchases, small
 * stored-value purchases and staff top-ups over the demo cards, about `rate` requests a second in all.
 *
 * Every logical request carries its own Idempotency-Key. A request the chaos cut off (fetch threw: the kiosk
 * was killed mid-request or is not back yet; or a 5xx) is sent again with the SAME key and the same body
 * until it gets an answer, exactly as a till must retry; the kiosk must answer a repeat with the transaction
 * it made the first time (`replayed: true`), never a second one. Each request also carries a mark the ledger
 * keeps (a purchase's sku is its key, a top-up's amount is unique in the run), so the file checks can find
 * every ledger transaction a request produced without trusting the kiosk's bookkeeping.
 */
import { DEMO_MEMBERS, DEMO_STAFF_CARD } from '../../hub/demo/seed-demo-data.ts';
import type { Random } from './random.ts';

/** overdraft_purchase: a stored-value purchase far beyond any balance, which the hub must record as refused. */
export type SoakRequestKind = 'cash_purchase' | 'stored_value_purchase' | 'overdraft_purchase' | 'top_up';

export interface PurchaseRequestBody {
  cardUid: string;
  lines: { sku: string; category: string; qty: number; unitPriceCents: number }[];
  payments: { method: 'cash' | 'stored_value'; amountCents: number }[];
}

export interface TopUpRequestBody {
  cardUid: string;
  amountCents: number;
  tender: 'cash';
  staffCardUid: string;
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
  attempts: number;
  /** Attempts cut off by a kill (fetch threw or a 5xx). */
  cutOff: number;
  /** Whether an answer came back as a replay of an earlier attempt's transaction. */
  replayed: boolean;
  /** Later answers for the key that named another id than the first answer, or were not marked replayed. */
  replayMismatches: string[];
  /** Sent once more on purpose after its answer (a double tap): the answer must be a replay. */
  repeated: boolean;
  /** From the first attempt to the first answer, ms (null: never answered). */
  answerMs: number | null;
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
  /** A single fetch attempt gives up after this long (the kiosk itself waits ≤ 2 s for the hub). */
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
      body: { cardUid: customer.cardUid, amountCents, tender: 'cash', staffCardUid: DEMO_STAFF_CARD },
    };
  }
  const kind: SoakRequestKind = roll < 0.5 ? 'stored_value_purchase' : roll < 0.52 ? 'overdraft_purchase' : 'cash_purchase';
  const amountCents = kind === 'stored_value_purchase' ? random.int(1, 6) * 100 : kind === 'overdraft_purchase' ? 100_000_000 : random.int(5, 50) * 100;
  return {
    key, index, kind, kioskId, path: '/tx/purchase', memberId: customer.memberId, cardUid: customer.cardUid, amountCents,
    body: {
      cardUid: customer.cardUid,
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
  result?: { code?: unknown };
  error?: { code?: unknown; message?: unknown };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LoadDriver {
  private readonly answers: SoakAnswer[] = [];
  private readonly inFlight = new Set<SoakAnswer>();
  private stopping = false;
  private giveUpAt = Number.POSITIVE_INFINITY;
  private nextIndex = 0;
  private nextSlotAt = 0;
  private tills: Promise<void>[] = [];

  constructor(private readonly opts: LoadOptions) {}

  start(): void {
    this.nextSlotAt = Date.now();
    this.tills = Array.from({ length: this.opts.tills }, (_, i) => this.till(i));
  }

  /** Stop making new requests; the ones under way keep retrying until answered or `giveUpAfterMs` from now. */
  async stop(giveUpAfterMs: number): Promise<void> {
    this.stopping = true;
    this.giveUpAt = Date.now() + giveUpAfterMs;
    await Promise.all(this.tills);
  }

  /** Requests made so far, and how many are waiting for an answer right now. */
  progress(): { made: number; inFlight: number; accepted: number; cutOff: number } {
    return {
      made: this.nextIndex,
      inFlight: this.inFlight.size,
      accepted: this.answers.filter((a) => a.outcome === 'accepted').length,
      cutOff: this.answers.reduce((n, a) => n + (a.cutOff > 0 ? 1 : 0), 0),
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
    const kiosks = this.opts.kiosks;
    while (!this.stopping) {
      await this.paced();
      if (this.stopping) break;
      const index = this.nextIndex;
      this.nextIndex += 1;
      const kiosk = kiosks[(tillNo + index) % kiosks.length];
      if (!kiosk) throw new Error('no kiosk to send to');
      await this.send(makeRequest(index, kiosk.id, this.opts.keyPrefix, this.opts.random), kiosk.apiUrl);
    }
  }

  private async send(request: SoakRequest, apiUrl: string): Promise<void> {
    const answer: SoakAnswer = {
      request, outcome: 'unanswered', ids: [], httpStatus: null, status: null, resultCode: null, refusal: null,
      attempts: 0, cutOff: 0, replayed: false, replayMismatches: [], repeated: false, answerMs: null, log: [],
    };
    this.answers.push(answer);
    this.inFlight.add(answer);
    const sentAt = Date.now();
    try {
      await this.sendUntilAnswered(answer, apiUrl);
      if (answer.outcome !== 'unanswered') answer.answerMs = Date.now() - sentAt;
      // Now and then a till sends an answered request again on purpose (a double tap on "pay"): the kiosk must
      // answer with the same transaction and replayed: true.
      if (answer.outcome === 'accepted' && this.opts.random.next() < (this.opts.repeatShare ?? 0.05)) {
        answer.repeated = true;
        await this.sendUntilAnswered(answer, apiUrl);
      }
    } finally {
      this.inFlight.delete(answer);
    }
  }

  private async sendUntilAnswered(answer: SoakAnswer, apiUrl: string): Promise<void> {
    const { request } = answer;
    const body = JSON.stringify(request.body);
    for (;;) {
      if (Date.now() > this.giveUpAt) return;
      answer.attempts += 1;
      let status: number;
      let json: ApiAnswer;
      const attemptAt = Date.now();
      const note = (got: string) => answer.log.push({ at: new Date(attemptAt).toISOString(), ms: Date.now() - attemptAt, got });
      try {
        const response = await fetch(`${apiUrl}${request.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': request.key },
          body,
          signal: AbortSignal.timeout(this.opts.attemptTimeoutMs ?? 10_000),
        });
        status = response.status;
        json = (await response.json()) as ApiAnswer;
      } catch (error) {
        // Cut off: connection refused or reset (the kiosk is dead or not back yet), or no answer in time.
        note(describeFetchError(error));
        answer.cutOff += 1;
        await sleep(100 + this.opts.random.int(0, 200));
        continue;
      }
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
}

/** undici's "fetch failed" hides the reason in `cause`: ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, a timeout. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if ((error as Error).name === 'TimeoutError') return 'timeout';
  return (error as Error).message ?? String(error);
}
