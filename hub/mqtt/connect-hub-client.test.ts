import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../broker/embedded-broker.ts';
import { openFleetRegistry } from '../fleet/open-fleet-registry.ts';
import { connectHubClient } from './connect-hub-client.ts';

/**
 * The hub's client against a real broker (embedded aedes) that is not listening yet, with a fast backoff.
 * The CLI as a whole, with Mosquitto and bad credentials: scripts/commands/hub-external-broker.test.ts.
 */
const FAST = { initialMs: 40, maxMs: 200 };
const SECRET = 'hub-secret-for-this-test';

interface Line {
  level: number;
  code?: string;
  url?: string;
  attempt?: number;
  msg: string;
}

function capturingLogger(lines: Line[]) {
  return pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
}

/** A loopback port nobody listens on yet (hub code and its tests do not import device/, which has one too). */
function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('connectHubClient waits for its broker', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  it('retries with backoff, logging each attempt with a code and no password, and resolves once the broker listens', async () => {
    const port = await findFreePort();
    const lines: Line[] = [];
    const connecting = connectHubClient({
      url: `mqtt://hub:${SECRET}@127.0.0.1:${port}`,
      clientId: 'hub-wait-test',
      logger: capturingLogger(lines),
      backoff: FAST,
    });
    await until(() => lines.filter((l) => l.code === 'BROKER_UNREACHABLE').length >= 3, 'three failed attempts');
    const fleetDir = mkdtempSync(join(tmpdir(), 'mk-fleet-'));
    const fleet = await openFleetRegistry(fleetDir);
    cleanups.push(async () => {
      await fleet.close();
      rmSync(fleetDir, { recursive: true, force: true });
    });
    const broker = new EmbeddedBroker({ host: '127.0.0.1', port, hubSecret: SECRET, fleet, logger: pino({ level: 'silent' }) });
    cleanups.push(() => broker.stop());
    await broker.start();
    const client = await connecting;
    cleanups.push(() => client.endAsync());
    expect(client.connected).toBe(true);
    const attempts = lines.filter((l) => l.code === 'BROKER_UNREACHABLE');
    expect(attempts.map((l) => l.attempt)).toEqual(attempts.map((_, i) => i + 1));
    expect(attempts.every((l) => l.level === 40 && l.url === `mqtt://hub:***@127.0.0.1:${port}`)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'connected to broker' });
    // a deliberate end is not a lost connection
    await client.endAsync();
    expect(lines.filter((l) => l.code === 'BROKER_CONNECTION_LOST')).toEqual([]);
  });

  it('gives up when its signal aborts: rejects with the reason and stops knocking', async () => {
    const port = await findFreePort();
    const lines: Line[] = [];
    const stop = new AbortController();
    const connecting = connectHubClient({ url: `mqtt://127.0.0.1:${port}`, clientId: 'hub-abort-test', logger: capturingLogger(lines), backoff: FAST, signal: stop.signal });
    await until(() => lines.some((l) => l.code === 'BROKER_UNREACHABLE'), 'a failed attempt');
    stop.abort(new Error('hub stopping'));
    await expect(connecting).rejects.toThrow('hub stopping');
    const attemptsWhenStopped = lines.filter((l) => l.code === 'BROKER_UNREACHABLE').length;
    await new Promise((r) => setTimeout(r, 5 * FAST.maxMs));
    expect(lines.filter((l) => l.code === 'BROKER_UNREACHABLE')).toHaveLength(attemptsWhenStopped);
    await expect(connectHubClient({ url: `mqtt://127.0.0.1:${port}`, clientId: 'x', logger: capturingLogger(lines), signal: stop.signal })).rejects.toThrow('hub stopping');
  });
});
