/**
 * `points.grant`: a flow's points bonus, made the way HQ makes one at the console — a `manual_bonus` HQ transaction
 * on the member's card through the ledger's one write path, with a reason, the flows' staff account as the actor
 * (flow-actor.ts), and the rules' limits. Its id is derived from the flow's idempotency key (key-to-ulid.ts), so the
 * same key grants once whatever re-runs and restarts happen: the ledger answers a stored id as `exists`.
 *
 * A key is one grant: asked again for another member or another number of points, it is refused
 * (IDEMPOTENCY_KEY_REUSED) rather than answered "already granted" for a grant that was never made. A refusal the
 * ledger recorded under a key is that key's outcome for good, and asking again answers the same refusal.
 */
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { isErrorCode } from '../../core/errors/codes.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { PointsGrantParams, PointsGrantValue } from '../../flows/runtime/protocol.ts';
import { submitHqTransaction, type HqTransactionBody } from '../hq/hq-transactions.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { FlowActor } from './flow-actor.ts';
import { keyToUlid } from './key-to-ulid.ts';

/** Keys of grants live apart from the keys of other calls (a message's key may be the same text). */
export const GRANT_KEY_SCOPE = 'points.grant';

export const pointsGrantParamsSchema = z.object({
  memberId: z.string().min(1).max(64),
  points: z.number().int().min(1).max(100_000),
  reason: z.string().trim().min(1).max(200),
  idempotencyKey: z.string().min(1).max(128),
}) satisfies z.ZodType<PointsGrantParams>;

export interface PointsGrantDeps {
  ledger: Pick<LedgerStore, 'applyHq' | 'memberViewById'>;
  actor: FlowActor;
  /** Told of each transaction the ledger answered for a grant (applied or refused), not of a repeat (`exists`). */
  onResult?: (body: HqTransactionBody, result: TxResult) => void;
}

export function createPointsGrant(deps: PointsGrantDeps): (params: unknown) => Promise<PointsGrantValue> {
  return async (params) => {
    const grant = parseRequest(pointsGrantParamsSchema, params, 'FLOW_PARAMS_INVALID');
    const view = await deps.ledger.memberViewById(grant.memberId, 0);
    if (!view) throw new CodedError('MEMBER_UNKNOWN', `no member ${grant.memberId}`);
    const actor = await deps.actor.current();
    // The member's active card, else their newest: HQ corrects a member's points whatever their card's state (plan-manual-bonus.ts).
    const body: HqTransactionBody = { kind: 'manual_bonus', storeId: HQ_DEVICE_ID, cardUid: view.card.uid, points: grant.points, reason: grant.reason, actor };
    const result = await submitHqTransaction(deps.ledger, body, { id: keyToUlid(GRANT_KEY_SCOPE, grant.idempotencyKey) });
    if (result.status !== 'exists') deps.onResult?.(body, result);
    return valueOf(grant, result);
  };
}

function valueOf(grant: z.output<typeof pointsGrantParamsSchema>, result: TxResult): PointsGrantValue {
  const txId = result.id ?? '';
  if (result.status === 'applied') return { status: 'granted', txId, points: grant.points };
  if (result.status === 'exists' && result.original === 'applied') {
    const outcome = result.outcome;
    if (outcome && (outcome.memberId !== grant.memberId || outcome.pointsEarned !== grant.points)) {
      throw new CodedError('IDEMPOTENCY_KEY_REUSED', `this key already granted ${outcome.pointsEarned} points to another grant (transaction ${txId})`);
    }
    return { status: 'already-granted', txId, points: grant.points };
  }
  const code = isErrorCode(result.code) ? result.code : 'INTERNAL';
  const when = result.status === 'exists' ? 'refused when first asked under this key' : 'refused';
  throw new CodedError(code, `${when}: ${result.message ?? code}`, { txId });
}
