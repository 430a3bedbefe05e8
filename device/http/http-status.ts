/**
 * The HTTP status a coded error is answered with. A client (the screen, a till integration) decides from the
 * status whether to fix the request, retry later or give up, so the status must say which: a body too big is
 * 413, a reused idempotency key or a card state that forbids the action is 409, the rest of what the request
 * got wrong is 400, and a hub or database failure is 5xx. The kiosk's own codes (device/app/kiosk-errors.ts)
 * each have theirs: the screen not showing what the request needs is 409, a simulated reader that is absent 404.
 */
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { KioskErrorCode } from '../app/kiosk-errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  TX_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 409,
  CARD_ALREADY_EXISTS: 409,
  CARD_BAD_STATE: 409,
  CARD_UNKNOWN: 404,
  MEMBER_UNKNOWN: 404,
  INTERNAL: 500,
};

const KIOSK_STATUS: Record<KioskErrorCode, number> = {
  SESSION_NO_CARD: 409,
  REGISTER_NOT_OFFERED: 409,
  SIM_DISABLED: 404,
  SIM_READER_STOPPED: 409,
};

export function httpStatusFor(code: ErrorCode): number {
  return STATUS[code] ?? 400;
}

export function httpStatusForKioskError(code: KioskErrorCode): number {
  return KIOSK_STATUS[code];
}
