import { CodedError } from '../core/errors/coded-error.ts';
import type { DriverErrorCode } from './driver-error-codes.ts';

/** A hardware driver's coded error: a CodedError whose code is one of the DRIVER_* codes. */
export class DriverError extends CodedError {
  declare readonly code: DriverErrorCode;

  constructor(code: DriverErrorCode, message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, details);
    this.name = 'DriverError';
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
