/** JSON over HTTP against a kiosk or hub API, returning the status too: 200 (applied) and 202 (queued) differ. */
export interface RequestOptions {
  /** A hub session's or API token's bearer token (POST /api/login): the hub's member and audit routes need one. */
  token?: string;
}

function headers(opts: RequestOptions, json: boolean): Record<string, string> {
  return { ...(json ? { 'content-type': 'application/json' } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
}

export async function postJson<T = Record<string, unknown>>(url: string, body: unknown, opts: RequestOptions = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { method: 'POST', headers: headers(opts, true), body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

export async function putJson<T = Record<string, unknown>>(url: string, body: unknown, opts: RequestOptions = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { method: 'PUT', headers: headers(opts, true), body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

export async function getJson<T = Record<string, unknown>>(url: string, opts: RequestOptions = {}): Promise<T> {
  const response = await fetch(url, { headers: headers(opts, false) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}
