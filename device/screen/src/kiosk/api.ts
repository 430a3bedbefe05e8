/**
 * The kiosk's local API as the screen calls it. Every failure becomes a ScreenError with a code the screen has
 * words for (core/errors/shopper-words.ts): the API's own coded error, or KIOSK_UNREACHABLE when the kiosk
 * service did not answer at all. What an action did arrives pushed as the session (kiosk/stream.ts); a reply is
 * read only for a refusal made before any transaction existed.
 */
import type { ErrorBody } from './contract.ts';

export class ScreenError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message = '', details?: Record<string, unknown>) {
    super(message || code);
    this.name = 'ScreenError';
    this.code = code;
    this.details = details;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && 'error' in value && typeof (value as ErrorBody).error?.code === 'string';
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ScreenError('KIOSK_UNREACHABLE', 'the kiosk service did not answer');
  }
  const json: unknown = await response.json().catch(() => null);
  if (isErrorBody(json)) throw new ScreenError(json.error.code, json.error.message, json.error.details);
  if (!response.ok) throw new ScreenError('KIOSK_UNREACHABLE', `status ${response.status}`);
  return json as T;
}

export const kioskApi = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => call<T>('POST', path, body),
  /**
   * A money-moving request, made at most once per `key` (the Idempotency-Key header): a second tap, or a retry
   * after the reply was lost, gets the first request's transaction instead of a second one.
   */
  postOnce: <T>(path: string, key: string, body: unknown = {}) => call<T>('POST', path, body, { 'idempotency-key': key }),
};

/** A fresh key for one attempt at one action. */
export function newActionKey(): string {
  return crypto.randomUUID();
}
