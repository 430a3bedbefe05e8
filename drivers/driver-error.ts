import { DRIVER_ERROR_CODES, type DriverErrorCode } from './driver-error-codes.ts';

/**
 * A driver error with a stable code. Stands in for CodedError until the codes in driver-error-codes.ts are
 * merged into core/errors/codes.ts (CodedError only accepts codes listed there).
 */
export class DriverError extends Error {
  readonly code: DriverErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: DriverErrorCode, message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message ?? DRIVER_ERROR_CODES[code], options);
    this.name = 'DriverError';
    this.code = code;
    this.details = details;
  }
}
