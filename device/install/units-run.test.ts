/**
 * The units' commands run for real, in the order systemd runs them, on a machine without systemd as PID 1:
 * the kiosk service's ExecStart (the real `memberkiosk device`), the screen service's ExecStartPre (waiting for
 * the kiosk) and ExecStart: the real cage with the real Chromium and the unit's flags. Each command line is built
 * from the unit file as systemd builds it (test-support/unit-file.ts), the data directory and %t in temp dirs.
 *
 * What stands in for the kiosk machine, and why:
 * - cage runs on wlroots' headless backend (WLR_BACKENDS=headless, WLR_RENDERER=pixman): there is no screen
 *   or GPU here, and no logind session to hand cage a seat;
 * - the kiosk has no hub (mqtt://127.0.0.1:1 refuses): it starts offline, as it does in a store whose hub is down;
 * - the compiled build the unit runs is this test's own, under .tmp/ (MEMBERKIOSK_DIST; dist/ is the developer's),
 *   compiled without checking types (the same JavaScript; npx tsc --noEmit checks them);
 * - the browser reaches the kiosk through a relay that notes each request (it cannot be driven or asked);
 * - as root, cage and Chromium run as `nobody` (the unit's user does not exist here; Chromium refuses root).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileBuild, compiledBuildProblem } from '../../bin/compiled-build.mjs';
import { eventually } from '../test-support/temp-dir.ts';
import { RequestLogProxy } from './test-support/request-log-proxy.ts';
import { commandArgv, environmentOf, parseUnitFile, valueOf } from './test-support/unit-file.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const kioskUnit = parseUnitFile(readFileSync(join(HERE, 'memberkiosk-kiosk.service'), 'utf8'));
const screenUnit = parseUnitFile(readFileSync(join(HERE, 'memberkiosk-screen.service'), 'utf8'));
// What systemd gives a service besides its Environment= (systemd.exec(5), "Environment variables").
const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const seconds = (value: string | undefined) => Number(value) * 1000;
const BUILD = join(REPO, '.tmp', `units-run-build-${process.pid}`);

/** This test's compiled build, (re)built when missing or older than the sources, just before the kiosk starts. */
function currentBuild(): string {
  if (compiledBuildProblem(BUILD) === null) return BUILD;
  const built = compileBuild({ outDir: BUILD, typeCheck: false });
  if (!built.ok) throw new Error(built.message);
  return BUILD;
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(argv: string[], options: { env: Record<string, string>; cwd?: string; detached?: boolean }): Running {
  const child = spawn(argv[0]!, argv.slice(1), { env: options.env, cwd: options.cwd ?? REPO, detached: options.detached ?? false, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return { child, output: () => output, exited };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

/** Runs as `nobody` when this test is root (Chromium refuses root); the dirs it writes are handed over too. */
const asRoot = process.getuid?.() === 0;
function screenUser(dirs: string[]): string[] {
  if (!asRoot) return [];
  const uid = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).stdout.trim());
  for (const dir of dirs) chownSync(dir, uid, gid);
  return ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
}

describe('the kiosk and screen units\' commands, run for real', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  beforeAll(() => void currentBuild(), 120_000);
  afterAll(() => rmSync(BUILD, { recursive: true, force: true }));

  function scratchDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** Whatever the test's outcome: SIGKILL for the process (or its whole group: Chromium's helpers too). */
  function stopAtLast(running: Running, group: boolean): void {
    cleanups.push(async () => {
      try {
        if (group) process.kill(-running.child.pid!, 'SIGKILL');
        else if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
      } catch {
        // already gone
      }
      await running.exited;
    });
  }

  it('the kiosk starts, the screen waits for it, then cage shows its page in Chromium; each stops with its KillSignal', { timeout: 120_000 }, async () => {
    const kioskPort = await freePort();
    const relay = new RequestLogProxy(kioskPort);
    const screenPort = await relay.listen();
    cleanups.push(() => relay.close());

    // The screen unit, first in line: ExecStartPre waits while the kiosk is not up.
    const runtimeRoot = scratchDir('mk-run-'); // %t
    const runtimeDirectory = join(runtimeRoot, 'memberkiosk-screen'); // RuntimeDirectory=, made by systemd
    mkdirSync(runtimeDirectory, { mode: 0o700 });
    const sessionRuntime = scratchDir('mk-xdg-'); // XDG_RUNTIME_DIR, which pam_systemd would set
    const screenEnv = { PATH: SYSTEMD_PATH, ...environmentOf(screenUnit, { t: runtimeRoot }), MEMBERKIOSK_PORT: String(screenPort) };
    const prefixed = (line: string | undefined) => (line ?? '').replaceAll('/opt/memberkiosk', REPO);
    const wait = start(commandArgv(prefixed(valueOf(screenUnit, 'Service', 'ExecStartPre')), screenEnv, { t: runtimeRoot }), { env: screenEnv });
    stopAtLast(wait, false);
    await new Promise((done) => setTimeout(done, 1500));
    expect(wait.child.exitCode, 'ExecStartPre returned before the kiosk was up').toBeNull();

    // The kiosk unit's ExecStart; its hardware flags through MEMBERKIOSK_DEVICE_ARGS, as kiosk.env gives them.
    const dataDir = scratchDir('mk-kiosk-data-');
    const kioskEnv = {
      PATH: SYSTEMD_PATH,
      ...environmentOf(kioskUnit),
      MEMBERKIOSK_PORT: String(kioskPort),
      MEMBERKIOSK_DEVICE_ARGS: '--hub mqtt://127.0.0.1:1 --id kiosk-units-run --store store-units-run',
      MEMBERKIOSK_DIST: currentBuild(),
    };
    const kioskLine = prefixed(valueOf(kioskUnit, 'Service', 'ExecStart')).replace('/usr/bin/node', process.execPath).replace('/var/lib/memberkiosk/kiosk', dataDir);
    const kiosk = start(commandArgv(kioskLine, kioskEnv, {}), { env: kioskEnv, cwd: prefixed(valueOf(kioskUnit, 'Service', 'WorkingDirectory')) });
    stopAtLast(kiosk, false);

    const waited = await within(wait.exited, 60_000, 'ExecStartPre');
    expect(waited.code, `${wait.output()}\n--- kiosk ---\n${kiosk.output()}`).toBe(0);
    expect(relay.requests.filter((r) => r.path === '/').length, 'the wait script asked for the page').toBeGreaterThan(0);
    relay.requests.length = 0;

    // ExecStart: cage and Chromium with the unit's flags, in their own process group (the unit's cgroup).
    const screenArgv = commandArgv(valueOf(screenUnit, 'Service', 'ExecStart') ?? '', screenEnv, { t: runtimeRoot });
    const headless = { XDG_RUNTIME_DIR: sessionRuntime, WLR_BACKENDS: 'headless', WLR_RENDERER: 'pixman', WLR_LIBINPUT_NO_DEVICES: '1' };
    const screen = start([...screenUser([runtimeRoot, runtimeDirectory, sessionRuntime]), ...screenArgv], { env: { ...screenEnv, ...headless }, detached: true });
    stopAtLast(screen, true);

    // The page loaded and its script talks to the kiosk (the event stream, the state).
    await eventually(() => relay.requests.some((r) => r.method === 'GET' && r.path === '/') && relay.requests.some((r) => r.path.startsWith('/api/')),
      'Chromium to load the screen and call the kiosk API', 60_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; requests: ${JSON.stringify(relay.requests)}; cage/Chromium said: ${screen.output().slice(-3000)}`);
    });
    expect(screen.child.exitCode).toBeNull();

    // systemctl stop: KillSignal= to every process of the unit, SIGKILL only after TimeoutStopSec=.
    process.kill(-screen.child.pid!, valueOf(screenUnit, 'Service', 'KillSignal'));
    const screenStopped = await within(screen.exited, seconds(valueOf(screenUnit, 'Service', 'TimeoutStopSec')), 'cage to stop');
    // Ended by the signal it was sent, not by an abort (SIGABRT, a core dump) on the way out.
    expect(screenStopped.signal ?? `exit ${screenStopped.code}`, screen.output().slice(-2000)).toBe('SIGHUP');

    kiosk.child.kill(valueOf(kioskUnit, 'Service', 'KillSignal') as NodeJS.Signals);
    const kioskStopped = await within(kiosk.exited, seconds(valueOf(kioskUnit, 'Service', 'TimeoutStopSec')), 'the kiosk to stop');
    expect(kioskStopped.code, kiosk.output().slice(-2000)).toBe(0);
  });
});
