/**
 * wait-for-kiosk-screen.sh, the screen unit's ExecStartPre, run as systemd runs it, against real HTTP servers
 * on loopback (with curl, as on the kiosk).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'wait-for-kiosk-screen.sh');

function runScript(args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(SCRIPT, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr, ms: Date.now() - started })));
}

/** A free port with nothing listening on it (yet). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('wait-for-kiosk-screen.sh', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function serve(port: number, status: number): Promise<void> {
    const server = createServer((_request, response) => response.writeHead(status).end('<!doctype html>'));
    servers.push(server);
    return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  }

  it('returns 0 as soon as the page answers, having waited while nothing listened', async () => {
    const port = await freePort();
    const waiting = runScript([`http://127.0.0.1:${port}/`, '20']);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await serve(port, 200);
    const result = await waiting;
    expect(result.code, result.stderr).toBe(0);
    expect(result.ms).toBeGreaterThanOrEqual(2000);
    expect(result.ms).toBeLessThan(10_000);
  });

  it('does not take an error status for a page (a kiosk answering 503 is not ready)', async () => {
    const port = await freePort();
    await serve(port, 503);
    const result = await runScript([`http://127.0.0.1:${port}/`, '2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`http://127.0.0.1:${port}/ did not answer within 2s`);
  });

  it('gives up with 1 after its limit when nothing answers, so systemd restarts the screen unit', async () => {
    const port = await freePort();
    const result = await runScript([`http://127.0.0.1:${port}/`, '2']);
    expect(result.code).toBe(1);
    expect(result.ms).toBeGreaterThanOrEqual(2000);
    expect(result.stderr).toContain('journalctl -u memberkiosk-kiosk');
  });

  it('refuses to run without a URL or with a limit that is not a number (exit 2)', async () => {
    expect((await runScript([])).code).toBe(2);
    expect((await runScript(['http://127.0.0.1:1/', 'soon'])).code).toBe(2);
  });
});
