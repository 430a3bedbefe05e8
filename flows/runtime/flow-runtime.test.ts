import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowRuntime, type FlowRuntimeAlert } from './flow-runtime.ts';
import type { FlowCalls } from './protocol.ts';

/** The editor's password every test accepts for "tech". */
const GOOD = 'correct horse battery';

const runtimes: FlowRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
});

async function waitUntil(ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function userDirWith(flows: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'mk-flow-runtime-'));
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flows));
  return dir;
}

const auth: FlowCalls = {
  'auth.authenticate': async (params) => {
    const { username, password } = params as { username: string; password: string };
    return username === 'tech' && password === GOOD ? { username, permissions: '*' } : null;
  },
  'auth.user': async (params) => ((params as { username: string }).username === 'tech' ? { username: 'tech', permissions: '*' } : null),
};

function runtime(userDir: string, extra: Partial<ConstructorParameters<typeof FlowRuntime>[0]> = {}): FlowRuntime {
  const made = new FlowRuntime({
    name: 'test',
    settings: { host: '127.0.0.1', port: 0, httpAdminRoot: '/', userDir, nodesDir: [], credentialSecret: 'a-test-secret-of-32-characters!!', sessionExpirySeconds: 3600, title: 'test', heartbeatMs: 200 },
    calls: auth,
    logger: pino({ level: 'silent' }),
    ...extra,
  });
  runtimes.push(made);
  return made;
}

async function token(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username, password }),
  });
}

describe('FlowRuntime: Node-RED in a supervised child', () => {
  it('serves the editor only to a user the parent accepts', async () => {
    const url = await runtime(userDirWith([])).start();
    expect((await fetch(`${url}flows`)).status).toBe(401);
    expect((await token(url, 'tech', 'wrong password')).status).toBe(403);
    const accepted = await token(url, 'tech', GOOD);
    expect(accepted.status).toBe(200);
    const { access_token: accessToken } = (await accepted.json()) as { access_token: string };
    const flows = await fetch(`${url}flows`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(flows.status).toBe(200);
  }, 60_000);

  it('kills a flow that blocks its thread, restarts it, and after repeated kills starts it in safe mode while the parent stays responsive', async () => {
    // A function node in a tight loop, fired by an inject half a second after the flows start.
    const dir = userDirWith([
      { id: 'tab1', type: 'tab', label: 'runaway' },
      { id: 'inj1', type: 'inject', z: 'tab1', once: true, onceDelay: 0.3, repeat: '', topic: '', payload: '', payloadType: 'date', wires: [['fn1']] },
      { id: 'fn1', type: 'function', z: 'tab1', func: 'while (true) {}\nreturn msg;', outputs: 1, wires: [[]] },
    ]);
    const alerts: FlowRuntimeAlert[] = [];
    const supervised = runtime(dir, { unresponsiveMs: 1_000, restartDelaysMs: [100], safeModeAfter: 3, onAlert: (code) => alerts.push(code) });
    let worstLagMs = 0;
    let last = Date.now();
    const probe = setInterval(() => {
      const now = Date.now();
      worstLagMs = Math.max(worstLagMs, now - last - 20);
      last = now;
    }, 20);
    try {
      await supervised.start();
      const deadline = Date.now() + 60_000;
      while (supervised.status().state !== 'safe-mode' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      clearInterval(probe);
    }
    const status = supervised.status();
    expect(status.state).toBe('safe-mode');
    expect(status.kills).toBeGreaterThanOrEqual(3);
    expect(alerts).toContain('NODE_RED_UNRESPONSIVE');
    expect(alerts).toContain('NODE_RED_SAFE_MODE');
    // The parent's event loop never waited on the child: a kiosk keeps serving taps meanwhile. A parent that waited on
    // a spinning child would wait until the child is killed, and so could not kill it: the bound is twice the
    // heartbeat limit (1 s here), because a full run's busy moments alone, with the runaway child taking one core of
    // two, have stalled this process for up to 1.2 s.
    expect(worstLagMs).toBeLessThan(2_000);
    // In safe mode the editor is up for the technician, and the runaway flow does not run.
    const url = status.url ?? '';
    expect((await token(url, 'tech', GOOD)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(supervised.status().state).toBe('safe-mode');
    expect(supervised.status().kills).toBe(status.kills);
  }, 120_000);

  it('names its worst case from a blocked child to a running successor from its own settings', () => {
    // Silence limit + the heartbeat tick that notices it + the first pause + the successor's start timeout.
    expect(runtime(userDirWith([]), { unresponsiveMs: 1_000, restartDelaysMs: [100, 500], startTimeoutMs: 7_000 }).recoveryBoundMs()).toBe(1_000 + 200 + 100 + 7_000);
    // Defaults: 5 s of silence, a 1 s first pause, a 60 s start.
    expect(runtime(userDirWith([])).recoveryBoundMs()).toBe(5_000 + 200 + 1_000 + 60_000);
  });

  it('drops events while no child runs, and stops the child on stop()', async () => {
    const supervised = runtime(userDirWith([]));
    supervised.emit('card-tap', { memberId: 'M1' });
    expect(supervised.status().droppedEvents).toBe(1);
    await supervised.start();
    const url = supervised.status().url ?? '';
    await supervised.stop();
    expect(supervised.status().state).toBe('stopped');
    await expect(fetch(`${url}auth/login`)).rejects.toThrow();
  }, 60_000);

  it("keeps a flow's credentials across a restart, encrypted with the configured secret, never in clear on disk", async () => {
    // A store system the flow logs in to: it records the Authorization header of each request.
    const seen: string[] = [];
    const storeSystem = createServer((request, response) => {
      seen.push(String(request.headers.authorization));
      response.end('ok');
    });
    await new Promise<void>((resolve) => storeSystem.listen(0, '127.0.0.1', () => resolve()));
    const port = (storeSystem.address() as AddressInfo).port;
    try {
      const dir = userDirWith([]);
      const first = runtime(dir);
      const url = await first.start();
      const { access_token: accessToken } = (await (await token(url, 'tech', GOOD)).json()) as { access_token: string };
      // The store system's login typed into an http request node's credentials in the editor; the flow calls it on start.
      const flows = [
        { id: 'tab2', type: 'tab', label: 'store system' },
        { id: 'inj2', type: 'inject', z: 'tab2', once: true, onceDelay: 0.2, repeat: '', props: [{ p: 'payload' }], payload: '', payloadType: 'date', wires: [['req1']] },
        { id: 'req1', type: 'http request', z: 'tab2', method: 'GET', ret: 'txt', url: `http://127.0.0.1:${port}/`, authType: 'basic', credentials: { user: 'store-api', password: 'store-api-secret-42' }, wires: [[]] },
      ];
      const deployed = await fetch(`${url}flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
        body: JSON.stringify(flows),
      });
      expect([200, 204]).toContain(deployed.status);
      const basic = `Basic ${Buffer.from('store-api:store-api-secret-42').toString('base64')}`;
      await waitUntil(() => seen.length >= 1);
      await first.stop();
      const onDisk = readFileSync(join(dir, 'flows_cred.json'), 'utf8');
      expect(onDisk).toContain('"$"');
      expect(onDisk).not.toContain('store-api-secret-42');

      // Restarted (an upgrade, a reboot): the flow still logs in with what was typed, read back with the secret.
      await runtime(dir).start();
      await waitUntil(() => seen.length >= 2);
      expect(seen).toEqual([basic, basic]);
    } finally {
      storeSystem.close();
    }
  }, 60_000);
});
