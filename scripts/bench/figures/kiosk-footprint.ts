/**
 * Kiosk footprint (issue 14): what a kiosk machine holds and how soon the kiosk serves, from the compiled build as
 * production runs it (bin/memberkiosk-prod.mjs; built by scripts/build/compiled-cli.ts into .tmp/bench-compiled,
 * types unchecked: the same JavaScript as npm run build), with simulated reader and printer, against a running
 * compiled hub, with Node-RED off and on.
 * - Resident memory (VmRSS), 30 s after ready, of the whole process tree (the kiosk and its children, summed
 *   from /proc): the kiosk with Node-RED off, target <= 100 MB; the Node-RED child's own, with our nodes and the
 *   shipped tenth-visit-coupon flow, target <= 1.2x a bare Node-RED child and <= 110 MB.
 * - Time to ready, from the spawn to the kiosk's API answering with its hub link connected (and, Node-RED on, the
 *   kiosk saying its flows started: the editor line), the median of 3 starts after a first one (which provisions
 *   the member cache and installs the flows): on, target <= 3 s later than off.
 * Baselines, in the same run: an empty Node process (`node -e "setInterval(()=>{},1000)"`, its RSS and its time to
 * first output) for the kiosk off and the bare Node-RED child; a bare Node-RED child with no flows
 * (../support/bare-node-red-child.mjs: node-red required, RED.start() with an empty user directory, no nodesDir)
 * for the Node-RED child; the kiosk off for the kiosk on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEMO_STORE_ID } from '../../../hub/demo/seed-demo-data.ts';
import { freePort } from '../../../hub/testing/free-port.ts';
import { buildDirUnderRepository, ensureCompiled, provisionWithCompiledCli, spawnCompiled, stdoutMatch, stopProcess } from '../../build/compiled-cli.ts';
import { ensureConsoleBuilt } from '../../console/ensure-console-built.ts';
import { ensureScreenBuilt } from '../../screen/ensure-screen-built.ts';
import type { BenchFigure } from '../figure.ts';
import { percentile } from '../support/percentile.ts';
import { processTree, treeRssBytes, type TreeProcess } from '../support/process-tree.ts';

const SETTLE_MS = 30_000;
const TIMED_STARTS = 3;
const READY_TIMEOUT_MS = 60_000;
const MB = 1024 * 1024;
const KIOSK_OFF_TARGET_MB = 100;
const NODE_RED_CHILD_TARGET_MB = 110;
const NODE_RED_CHILD_TARGET_RATIO = 1.2;
const READY_DELAY_TARGET_MS = 3_000;
const SHIPPED_FLOW = 'tenth-visit-coupon';
const BARE_NODE_RED = fileURLToPath(new URL('../support/bare-node-red-child.mjs', import.meta.url));
const NODE_RED_CHILD = /flows[\\/]child[\\/]main\.mjs/;
const say = (line: string) => process.stderr.write(`bench: kiosk-footprint: ${line}\n`);

interface Started {
  child: ChildProcess;
  /** From the spawn to ready, ms. */
  readyMs: number;
}

/** Spawns a plain process and times it to its first line on stdout matching `ready`. */
async function startPlain(args: string[], ready: RegExp, what: string): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await stdoutMatch(child, ready, READY_TIMEOUT_MS, what);
  return { child, readyMs: performance.now() - started };
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** True once the kiosk's API answers and says its hub link is up. */
async function kioskConnected(apiUrl: string): Promise<boolean> {
  try {
    const state = (await (await fetch(`${apiUrl}/api/state`)).json()) as { connected?: boolean };
    return state.connected === true;
  } catch {
    return false;
  }
}

/** The compiled kiosk started and timed to ready: API answering, link connected, and with Node-RED its flows started. */
async function startKiosk(outDir: string, kioskDir: string, nodeRed: boolean): Promise<Started> {
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const args = ['device', '--data', kioskDir, '--port', String(port), '--demo', '--log-level', 'warn', ...(nodeRed ? ['--node-red', '--node-red-port', '0', '--node-red-flows', SHIPPED_FLOW] : [])];
  // Rebuilt if a source changed meanwhile (ensureCompiled), before the clock starts.
  const build = ensureCompiled(outDir, say);
  const started = performance.now();
  const child = spawnCompiled(build, args, { env: { MEMBERKIOSK_NODE_RED_SECRET: 'bench-kiosk-node-red-secret' } });
  // The device command prints the editor's address once Node-RED said it started its flows.
  const flowsStarted = nodeRed ? stdoutMatch(child, /Node-RED editor: \S+/, READY_TIMEOUT_MS, 'the compiled kiosk with Node-RED') : Promise.resolve(null);
  let flowsUp = !nodeRed;
  const flowsFailed = flowsStarted.then(
    () => ((flowsUp = true), null),
    (error: unknown) => error as Error,
  );
  let connectedAt: number | null = null;
  const deadline = started + READY_TIMEOUT_MS;
  while (connectedAt === null || !flowsUp) {
    if (child.exitCode !== null) throw new Error(`the compiled kiosk exited (${child.exitCode}) before it was ready`);
    if (performance.now() > deadline) {
      await stopProcess(child);
      throw new Error(`the compiled kiosk was not ready within ${READY_TIMEOUT_MS} ms (connected: ${connectedAt !== null}, flows: ${flowsUp})`);
    }
    if (connectedAt === null && (await kioskConnected(apiUrl))) connectedAt = performance.now();
    const failed = nodeRed && !flowsUp ? await Promise.race([flowsFailed, sleep(20).then(() => null)]) : (await sleep(20), null);
    if (failed) {
      await stopProcess(child);
      throw failed;
    }
  }
  return { child, readyMs: performance.now() - started };
}

/** A first start (caches, flows installed), then timed starts; the last one is left running for its memory. */
async function timedKiosk(outDir: string, kioskDir: string, nodeRed: boolean): Promise<{ running: Started; readyMs: number }> {
  await stopProcess((await startKiosk(outDir, kioskDir, nodeRed)).child);
  const samples: number[] = [];
  for (let i = 0; i < TIMED_STARTS; i += 1) {
    const run = await startKiosk(outDir, kioskDir, nodeRed);
    samples.push(run.readyMs);
    if (i === TIMED_STARTS - 1) return { running: run, readyMs: percentile(samples, 50) };
    await stopProcess(run.child);
  }
  throw new Error('unreachable');
}

/** The tree's memory `SETTLE_MS` after `readyAt` (ms, performance.now()). */
async function settledTree(pid: number, readyAt: number): Promise<TreeProcess[]> {
  await sleep(Math.max(0, readyAt + SETTLE_MS - performance.now()));
  return processTree(pid);
}

function mb(bytes: number): number {
  return bytes / MB;
}

export async function measure(): Promise<BenchFigure[]> {
  const outDir = buildDirUnderRepository('bench-compiled');
  // Built now, so neither the hub nor the kiosk builds a web app while it is timed.
  await ensureConsoleBuilt({ log: say });
  await ensureScreenBuilt({ log: say });
  const dir = mkdtempSync(join(tmpdir(), 'mk-bench-footprint-'));
  const running: ChildProcess[] = [];
  try {
    // Baselines: an empty Node process, then a bare Node-RED child, each left alone to settle.
    const empty = await startPlain(['-e', "process.stdout.write('ready\\n'); setInterval(() => {}, 1000)"], /ready/, 'an empty Node process');
    running.push(empty.child);
    const emptyReadyAt = performance.now();
    mkdirSync(join(dir, 'bare-node-red'));
    const bare = await startPlain([BARE_NODE_RED, join(dir, 'bare-node-red')], /ready \S+/, 'the bare Node-RED child');
    running.push(bare.child);
    const bareReadyAt = performance.now();
    const emptyRss = treeRssBytes(await settledTree(empty.child.pid!, emptyReadyAt));
    const bareRss = treeRssBytes(await settledTree(bare.child.pid!, bareReadyAt));
    await stopProcess(empty.child);
    await stopProcess(bare.child);
    say(`empty Node ${mb(emptyRss).toFixed(1)} MB, ready in ${empty.readyMs.toFixed(0)} ms; bare Node-RED ${mb(bareRss).toFixed(1)} MB, ready in ${bare.readyMs.toFixed(0)} ms`);

    // The hub the kiosk talks to, compiled too; the kiosk enrolled with it as a technician would.
    const hubDir = join(dir, 'hub');
    const kioskDir = join(dir, 'kiosk');
    const hub = spawnCompiled(ensureCompiled(outDir, say), ['hub', '--data', hubDir, '--mqtt-port', '0', '--http-port', '0', '--https-port', '0', '--mqtts-port', '0', '--demo', 'true', '--log-level', 'warn']);
    running.push(hub);
    const [, httpsUrl] = await stdoutMatch(hub, /hub HTTPS \(console, enrolment\): (https:\/\/\S+)\n/, READY_TIMEOUT_MS, 'the compiled hub');
    await provisionWithCompiledCli(ensureCompiled(outDir, say), { hubDataDir: hubDir, httpsUrl: httpsUrl!, storeId: DEMO_STORE_ID, deviceId: 'kiosk-footprint', kioskDataDir: kioskDir });

    const off = await timedKiosk(outDir, kioskDir, false);
    running.push(off.running.child);
    const offTree = await settledTree(off.running.child.pid!, performance.now());
    await stopProcess(off.running.child);
    const offRss = treeRssBytes(offTree);
    say(`kiosk, Node-RED off: ${mb(offRss).toFixed(1)} MB in ${offTree.length} process(es), ready in ${off.readyMs.toFixed(0)} ms`);

    const on = await timedKiosk(outDir, kioskDir, true);
    running.push(on.running.child);
    const onTree = await settledTree(on.running.child.pid!, performance.now());
    await stopProcess(on.running.child);
    const onRss = treeRssBytes(onTree);
    const nodeRedChild = onTree.find((p) => NODE_RED_CHILD.test(p.command));
    if (!nodeRedChild) throw new Error(`no Node-RED child under the kiosk: ${onTree.map((p) => p.command).join('; ')}`);
    const childRss = nodeRedChild.rssBytes;
    say(`kiosk, Node-RED on: ${mb(onRss).toFixed(1)} MB in ${onTree.length} processes (Node-RED child ${mb(childRss).toFixed(1)} MB), ready in ${on.readyMs.toFixed(0)} ms`);

    const within = (value: number, target: number) => value <= target;
    const EMPTY = 'baseline: an empty Node process (node -e "setInterval(()=>{},1000)") in the same run';
    return [
      {
        name: 'kiosk RSS, Node-RED off (process tree, 30 s after ready)',
        value: mb(offRss),
        unit: 'MB',
        baseline: mb(emptyRss),
        ratio: emptyRss / offRss,
        target: `<= ${KIOSK_OFF_TARGET_MB} MB`,
        met: within(mb(offRss), KIOSK_OFF_TARGET_MB),
        notes: `compiled kiosk (bin/memberkiosk-prod.mjs), simulated reader and printer, connected to a compiled hub; ${EMPTY}`,
      },
      {
        name: 'kiosk time to ready, Node-RED off (median of 3 starts)',
        value: off.readyMs,
        unit: 'ms',
        baseline: empty.readyMs,
        ratio: empty.readyMs / off.readyMs,
        target: 'informational (the on/off difference carries the target)',
        met: true,
        notes: `spawn to the API answering with the hub link connected, after a first start; baseline: an empty Node process's spawn to its first output`,
      },
      {
        name: 'bare Node-RED child RSS (no flows, 30 s after ready)',
        value: mb(bareRss),
        unit: 'MB',
        baseline: mb(emptyRss),
        ratio: emptyRss / bareRss,
        target: 'informational (the baseline of the Node-RED child)',
        met: true,
        notes: `node-red required, RED.start() with an empty user directory, no nodesDir, its editor on loopback, in a plain child; ${EMPTY}`,
      },
      {
        name: 'bare Node-RED child time to ready',
        value: bare.readyMs,
        unit: 'ms',
        baseline: empty.readyMs,
        ratio: empty.readyMs / bare.readyMs,
        target: 'informational',
        met: true,
        notes: "spawn to RED.start() resolved; baseline: an empty Node process's spawn to its first output",
      },
      {
        name: `kiosk's Node-RED child RSS (our nodes, ${SHIPPED_FLOW}, 30 s after ready)`,
        value: mb(childRss),
        unit: 'MB',
        baseline: mb(bareRss),
        ratio: bareRss / childRss,
        target: `<= ${NODE_RED_CHILD_TARGET_RATIO}x the bare child and <= ${NODE_RED_CHILD_TARGET_MB} MB`,
        met: childRss <= NODE_RED_CHILD_TARGET_RATIO * bareRss && within(mb(childRss), NODE_RED_CHILD_TARGET_MB),
        notes: 'the child the kiosk supervises (flows/child/main.mjs, --max-old-space-size 128); baseline: the bare Node-RED child in the same run',
      },
      {
        name: 'kiosk RSS, Node-RED on (process tree, 30 s after ready)',
        value: mb(onRss),
        unit: 'MB',
        baseline: mb(offRss),
        ratio: offRss / onRss,
        target: 'informational (the child carries the target)',
        met: true,
        notes: `the kiosk and its Node-RED child summed; baseline: the same kiosk with Node-RED off`,
      },
      {
        name: 'kiosk time to ready, Node-RED on (flows started, median of 3 starts)',
        value: on.readyMs,
        unit: 'ms',
        baseline: off.readyMs,
        ratio: off.readyMs / on.readyMs,
        target: `<= ${READY_DELAY_TARGET_MS / 1000} s later than off`,
        met: on.readyMs - off.readyMs <= READY_DELAY_TARGET_MS,
        notes: `as off, and the kiosk saying its Node-RED started the flows (the editor line); baseline: Node-RED off`,
      },
    ];
  } finally {
    await Promise.all(running.map((child) => stopProcess(child)));
    rmSync(dir, { recursive: true, force: true });
  }
}
