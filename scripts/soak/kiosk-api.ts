/**
 * One HTTP exchange between a soak till and a kiosk's API. It never throws: a kiosk killed mid-request is an
 * answer too (the reason it gave none, told as plainly as undici allows), and the till decides what to do.
 */

export interface ApiAnswer {
  id?: unknown;
  status?: unknown;
  replayed?: unknown;
  result?: { code?: unknown; status?: unknown } | null;
  error?: { code?: unknown; message?: unknown };
  session?: { name?: unknown; code?: unknown; offline?: unknown; member?: { memberId?: unknown } };
  staff?: { sessionId?: unknown; expiresAt?: unknown } | null;
  connected?: unknown;
}

/** One HTTP exchange with a kiosk: its status and JSON, or why there was none (the kiosk dead, or too slow). */
export type Exchange = { ok: true; status: number; json: ApiAnswer } | { ok: false; error: string };

/** GET, or POST `body` as JSON; gives up after `timeoutMs`. */
export async function exchangeWithKiosk(url: string, timeoutMs: number, body?: unknown, headers: Record<string, string> = {}): Promise<Exchange> {
  try {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { ok: true, status: response.status, json: (await response.json()) as ApiAnswer };
  } catch (error) {
    return { ok: false, error: describeFetchError(error) };
  }
}

/** A string or number from an answer as text; anything else as nothing. */
export function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** undici's "fetch failed" hides the reason in `cause`: ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, a timeout. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if ((error as Error).name === 'TimeoutError') return 'timeout';
  return (error as Error).message ?? String(error);
}
