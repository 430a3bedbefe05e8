/**
 * The Node-RED editor's admin API as a browser uses it: a login for a token (Node-RED's adminAuth, answered by the
 * kiosk or hub from the hub's staff accounts), and a poll for what a flow makes happen elsewhere.
 */

export async function editorToken(editorUrl: string, username: string, password: string): Promise<{ status: number; accessToken: string | null }> {
  const response = await fetch(`${editorUrl}auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username, password }),
  });
  return { status: response.status, accessToken: response.ok ? ((await response.json()) as { access_token: string }).access_token : null };
}

/** Reads until `ok` says yes, or throws after `ms` with the last value read. */
export async function waitFor<T>(what: string, read: () => T | Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Deploys `flows` as the whole of the flows (what the editor's Deploy button sends). */
export async function deployFlows(editorUrl: string, accessToken: string, flows: readonly unknown[]): Promise<number> {
  const response = await fetch(`${editorUrl}flows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
    body: JSON.stringify(flows),
  });
  return response.status;
}
