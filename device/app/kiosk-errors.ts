/**
 * The kiosk's own refusals: what a use case says when the screen is not where the request needs it. Transaction
 * and hub codes are core's registry (core/errors/codes.ts); these exist only on the kiosk, and
 * device/http/http-status.ts gives each its status. (The error-registry work moves them into core's registry.)
 */
export const KIOSK_ERROR_CODES = {
  SESSION_NO_CARD: 'no card given and no member on screen',
  REGISTER_NOT_OFFERED: 'no unregistered card on screen, or the hub cannot confirm the card is new',
  SIM_DISABLED: 'this kiosk has a real card reader',
  SIM_READER_STOPPED: 'the simulated reader is not running',
} as const;

export type KioskErrorCode = keyof typeof KIOSK_ERROR_CODES;

export class KioskError extends Error {
  readonly code: KioskErrorCode;

  constructor(code: KioskErrorCode, message?: string) {
    super(message ?? KIOSK_ERROR_CODES[code]);
    this.name = 'KioskError';
    this.code = code;
  }
}

export function isKioskError(error: unknown): error is KioskError {
  return error instanceof KioskError;
}
