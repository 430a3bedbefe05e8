/**
 * What came of one soak request, as its till saw it: every transaction id the kiosk answered for its key, how
 * often it was cut off and retried, whether a repeat came back as a replay. The delivery check holds the
 * ledger and the outboxes to these records.
 */
import type { SoakRequest } from './soak-request.ts';

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

/** A request's record before its first attempt. */
export function unanswered(request: SoakRequest): SoakAnswer {
  return {
    request, outcome: 'unanswered', ids: [], httpStatus: null, status: null, resultCode: null, refusal: null,
    attempts: 0, cutOff: 0, replayed: false, replayMismatches: [], repeated: false, answerMs: null,
    staffSessions: [], staffWaits: 0, recoveredByKey: false, tapMisses: 0, log: [],
  };
}
