/**
 * The HTTP status a coded error is answered with. A client (the screen, a till integration) decides from the
 * status whether to fix the request, retry later or give up, so the status must say which: a body too big is
 * 413, a reused idempotency key or a card state that forbids the action is 409, the rest of what the request
 * got wrong is 400, and a hub or database failure is 5xx.
 */
import type { ErrorCode } from '../../core/errors/codes.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  TX_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 409,
  CARD_ALREADY_EXISTS: 409,
  CARD_BAD_STATE: 409,
  CARD_UNKNOWN: 404,
  MEMBER_UNKNOWN: 404,
  INTERNAL: 500,
};

export function httpStatusFor(code: ErrorCode): number {
  return STATUS[code] ?? 400;
}
