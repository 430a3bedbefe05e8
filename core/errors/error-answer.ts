/**
 * How the HTTP APIs (the kiosk's and the hub's) answer a refused request: the registry's status for the code
 * and `{error: {code, message}}`, never a stack trace. Framework-free, so both error handlers share it.
 */
import { isCodedError } from './coded-error.ts';
import { errorMessage, httpStatusOf, type ErrorCode, type HttpErrorStatus } from './codes.ts';

export interface ErrorAnswer {
  status: HttpErrorStatus;
  body: { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };
}

/**
 * The answer to a request refused with `code` (the registry's message unless one is given). `details` are what
 * the code chose to say (attempts left, a locked-until time), never an internal state.
 */
export function errorAnswer(code: ErrorCode, message: string = errorMessage(code), details?: Record<string, unknown>): ErrorAnswer {
  return { status: httpStatusOf(code), body: { error: { code, message, ...(details ? { details } : {}) } } };
}

/**
 * The code of a request the HTTP framework refused before any route ran, from the 4xx status it set: a body
 * over the limit, a content type it does not read, and the rest (unparsable JSON, an empty JSON body…).
 */
export function frameworkRefusalCode(status: number): ErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'REQUEST_TOO_LARGE';
  if (status === 415) return 'REQUEST_MEDIA_TYPE_UNSUPPORTED';
  return 'BAD_REQUEST';
}

/**
 * The answer to an error a route or the framework threw: a coded error answers its code; an error carrying a
 * 4xx `statusCode` (the framework's) answers frameworkRefusalCode with its own message. Anything else is a
 * defect: null, and the caller logs it and answers INTERNAL.
 */
export function answerForError(error: unknown): ErrorAnswer | null {
  if (isCodedError(error)) return errorAnswer(error.code, error.message, error.details);
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return errorAnswer(frameworkRefusalCode(statusCode), error instanceof Error ? error.message : undefined);
  }
  return null;
}
