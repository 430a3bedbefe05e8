/**
 * One JSON POST to a gateway (the SMS relay, a group robot), with a deadline, that fails the way message-sender.ts
 * says senders fail: `refusedCode` when the message certainly did not go (an answer other than 2xx, or no connection
 * made at all), MESSAGE_OUTCOME_UNKNOWN when it may have (no answer in time, the connection broken mid-request).
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';

export interface JsonAnswer {
  status: number;
  /** The answer's body parsed as JSON, or null when it is empty or not JSON. */
  body: unknown;
}

/** Errors of the connect phase: nothing was sent. Anything else (a reset, a broken socket) happened after it may have been. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'SELF_SIGNED_CERT_IN_CHAIN']);

function causeCode(error: unknown): string | null {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' ? cause.code : null;
}

export async function postJson(
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; timeoutMs: number; refusedCode: ErrorCode; what: string },
): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
  } catch (error) {
    const code = causeCode(error);
    if (code !== null && NOT_CONNECTED.has(code)) throw new CodedError(options.refusedCode, `${options.what} could not be reached (${code}): not sent`, { reason: code });
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : (code ?? (error instanceof Error ? error.message : 'request failed'));
    throw new CodedError('MESSAGE_OUTCOME_UNKNOWN', `${options.what}: ${reason}; the message may have gone`, { reason });
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    // The status line came, the body broke off: the status still says what the gateway did.
    text = '';
  }
  if (response.status < 200 || response.status > 299) {
    throw new CodedError(options.refusedCode, `${options.what} answered HTTP ${response.status}: not sent`, { status: response.status });
  }
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed };
}
