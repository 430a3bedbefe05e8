import { errorMessage, type ErrorCode } from './codes.ts';

/** An error with a stable, machine-readable code; the message is for people and may change. */
export class CodedError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? errorMessage(code));
    this.name = 'CodedError';
    this.code = code;
    this.details = details;
  }
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof CodedError;
}
