import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../../e2e/support/free-port.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { startMosquitto, type MosquittoBroker } from '../../hub/testing/start-mosquitto.ts';
import { memberkioskProcess } from '../build/memberkiosk-under-test.ts';

/**
 * `memberkiosk hub --broker mqtt://...` as an operator runs it, against a real Mosquitto that is not there yet,
 * refuses its password, or comes up later: a real process, whose stdout (pino JSON lines and the console
 * line) is read as the operator would read it.
 */
const PASSWORD = 'hub-pa55-Secret';

interface HubRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** The pino lines printed so far that carry `code`. */
  logged(code: string): { level: number; code: string; url: string; attempt?: number; retryInMs?: number }[];
  /** Resolves once `check` holds on the output; rejects if the process exits first or after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
}

function startHub(brokerUrl: string, dataDir: string): HubRun {
  const command = memberkioskProcess(['hub', '--broker', brokerUrl, '--data', dataDir, '--http-port', '0', '--https-port', '0', '--log-level', 'warn']);
  const child = spawn(process.execPath, command.args, { stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    logged: (code) =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; code: string; url: string })
        .filter((entry) => entry.code === code),
    async until(check, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (exitCode !== undefined) throw new Error(`the hub exited (code ${exitCode}) before: ${what}\n${stdout}\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

const CONSOLE_LINE = /hub console: (http:\/\/\S+)\nMQTT broker: (mqtt:\/\/\S+)\n/;

describe('memberkiosk hub --broker (real process, real Mosquitto)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  function track(hub: HubRun): HubRun {
    cleanups.push(async () => {
      if (hub.child.exitCode === null && hub.child.signalCode === null) hub.child.kill('SIGKILL');
      await hub.exited;
    });
    return hub;
  }

  function trackBroker(broker: MosquittoBroker): MosquittoBroker {
    cleanups.push(() => broker.stop());
    return broker;
  }

  it('waits for a broker that is not up yet, logging each attempt without the password, then serves', async () => {
    const temp = makeTempDir('mk-hub-wait-');
    cleanups.push(temp.cleanup);
    const port = await findFreePort();
    const hub = track(startHub(`mqtt://hub:${PASSWORD}@127.0.0.1:${port}`, temp.dir));
    await hub.until(() => hub.logged('BROKER_UNREACHABLE').length >= 2, 'two failed attempts');
    const attempts = hub.logged('BROKER_UNREACHABLE');
    expect(attempts[0]).toMatchObject({ level: 40, url: `mqtt://hub:***@127.0.0.1:${port}`, attempt: 1 });
    expect(attempts[1]).toMatchObject({ attempt: 2 });
    expect(attempts[1]!.retryInMs).toBeGreaterThan(attempts[0]!.retryInMs! / 2);
    expect(hub.child.exitCode).toBeNull();

    trackBroker(await startMosquitto({ hub: PASSWORD }, { port }));
    await hub.until(() => CONSOLE_LINE.test(hub.stdout()), 'the console line once the broker is up');
    const [, consoleUrl, printedBroker] = CONSOLE_LINE.exec(hub.stdout())!;
    expect(printedBroker).toBe(`mqtt://hub:***@127.0.0.1:${port}`);
    expect((await fetch(`${consoleUrl}/api/health`)).status).toBe(200);
    expect(`${hub.stdout()}${hub.stderr()}`).not.toContain(PASSWORD);

    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  });

  it('stops cleanly on SIGTERM while it is still waiting for its broker', async () => {
    const temp = makeTempDir('mk-hub-wait-');
    cleanups.push(temp.cleanup);
    const port = await findFreePort();
    const hub = track(startHub(`mqtt://hub:${PASSWORD}@127.0.0.1:${port}`, temp.dir));
    await hub.until(() => hub.logged('BROKER_UNREACHABLE').length >= 1, 'a failed attempt');
    const signalled = Date.now();
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(3_000);
    expect(hub.stderr()).toBe('');
    expect(hub.stdout()).not.toMatch(/Unhandled|\n\s+at /);
  });

  it('logs refused credentials at error on every attempt, keeps running, and connects once the password file is fixed', async () => {
    const temp = makeTempDir('mk-hub-auth-');
    cleanups.push(temp.cleanup);
    const port = await findFreePort();
    const wrongFile = await startMosquitto({ hub: 'another-password' }, { port });
    const hub = track(startHub(`mqtt://hub:${PASSWORD}@127.0.0.1:${port}`, temp.dir));
    await hub.until(() => hub.logged('BROKER_AUTH_REFUSED').length >= 2, 'two refused attempts');
    expect(hub.logged('BROKER_AUTH_REFUSED')[0]).toMatchObject({ level: 50, url: `mqtt://hub:***@127.0.0.1:${port}` });
    expect(hub.child.exitCode).toBeNull();

    // The operator corrects the password file and restarts Mosquitto on the same port.
    await wrongFile.stop();
    trackBroker(await startMosquitto({ hub: PASSWORD }, { port }));
    await hub.until(() => CONSOLE_LINE.test(hub.stdout()), 'the console line once the password is accepted');
    expect(`${hub.stdout()}${hub.stderr()}`).not.toContain(PASSWORD);
    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
  });
});
