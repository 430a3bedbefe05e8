/**
 * The kiosk's own refusals: what a use case says when the screen is not where the request needs it. Their
 * codes, messages and HTTP statuses are in core's registry (core/errors/codes.ts) with every other code; a
 * KioskError is a CodedError limited to them.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';

export type KioskErrorCode = Extract<
  ErrorCode,
  | 'SESSION_NO_CARD' | 'SESSION_NO_MEMBER' | 'REGISTER_NOT_OFFERED' | 'SIM_DISABLED' | 'SIM_READER_STOPPED' | 'CARD_NOT_ON_READER' | 'TENDER_NOT_ALLOWED'
  | 'STAFF_SESSION_REQUIRED' | 'STAFF_UNAUTHORIZED' | 'STAFF_CARD_UNKNOWN' | 'HUB_UNREACHABLE' | 'MEMBER_PIN_REQUIRED'
>;

export class KioskError extends CodedError {
  declare readonly code: KioskErrorCode;

  constructor(code: KioskErrorCode, message?: string) {
    super(code, message);
    this.name = 'KioskError';
  }
}

export function isKioskError(error: unknown): error is KioskError {
  return error instanceof KioskError;
}
