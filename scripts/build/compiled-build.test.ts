/**
 * The compiled build (npm run build, bin/build.mjs) run as production runs it (bin/memberkiosk-prod.mjs): built
 * into a folder of this test's own under .tmp/ (test files run in parallel; dist/ is the developer's), then a
 * compiled `memberkiosk hub` and `memberkiosk device` (simulated reader and printer, Node-RED on with the shipped
 * tenth-visit flow) as real processes, enrolled with the compiled `enrol create` and `provision`. Every module those processes load — their report threads too —
 * is recorded by a module-loading hook given to node with --import, so the test sees that no TypeScript and no
 * tsx was loaded, only the build.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPILED_CLI, REPOSITORY_ROOT } from '../../bin/compiled-build.mjs';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { buildDirUnderRepository, ensureCompiled, provisionWithCompiledCli, runCompiled, spawnCompiled, stdoutMatch, stopProcess } from './compiled-cli.ts';

const WORK = buildDirUnderRepository(`compiled-build-test-${process.pid}`);
const OUT_DIR = join(WORK, 'dist');
const MODULE_LOG = join(WORK, 'loaded-modules.txt');
/** Appends the URL of every module node loads (in the main thread and in worker threads) to MODULE_LOG. */
const PROBE = join(WORK, 'module-probe.mjs');
const PROBE_SOURCE = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(MODULE_LOG)}, url + '\\\\n');
  return next(url, context);
}\`));
`;
const HUB_READY = /hub console: (http:\/\/\S+)\nMQTT broker: \S+\nhub HTTPS \(console, enrolment\): (https:\/\/\S+)\n/;
const KIOSK_READY = /kiosk (\S+) screen: (http:\/\/\S+?)\/?\n/;

const children: ChildProcess[] = [];

/** The build, rebuilt if a source changed since (ensureCompiled): the stale case is checked on its own below. */
function current(): string {
  return ensureCompiled(OUT_DIR);
}

function loadedModules(): string[] {
  return existsSync(MODULE_LOG) ? readFileSync(MODULE_LOG, 'utf8').split('\n').filter(Boolean) : [];
}

async function untilConnected(apiUrl: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const state = (await (await fetch(`${apiUrl}/api/state`)).json()) as { connected?: boolean };
    if (state.connected === true) return;
    if (Date.now() > deadline) throw new Error(`the compiled kiosk did not connect to the hub: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The software version the kiosk reported to the hub (GET /api/devices), once it has. */
async function reportedSoftware(hubUrl: string, token: string, deviceId: string): Promise<string | null> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const view = (await (await fetch(`${hubUrl}/api/devices`, { headers: { authorization: `Bearer ${token}` } })).json()) as { devices: { deviceId: string; software: string | null }[] };
    const software = view.devices.find((d) => d.deviceId === deviceId)?.software ?? null;
    if (software !== null || Date.now() > deadline) return software;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the compiled build, run as production runs it', () => {
  beforeAll(() => {
    mkdirSync(WORK, { recursive: true });
    writeFileSync(PROBE, PROBE_SOURCE);
    ensureCompiled(OUT_DIR);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(children.map((child) => stopProcess(child, 5_000)));
    rmSync(WORK, { recursive: true, force: true });
  });

  it('holds the command, the report threads and the ledger writer thread as JavaScript, and none of the tests, e2e/, the benchmarks or the soak', () => {
    for (const module of [COMPILED_CLI, 'hub/main.js', 'device/main.js', 'hub/reports/report-query-worker.js', 'hub/reports/export-rows-worker.js', 'hub/ledger/sqlite/ledger-writer-worker.js', 'flows/runtime/flow-runtime.js']) {
      expect(existsSync(join(OUT_DIR, module)), module).toBe(true);
    }
    for (const left of ['e2e', 'scripts/bench', 'scripts/soak/run-soak.js', 'console', 'device/screen', 'hub/reports/report-query-worker.mjs', 'hub/ledger/sqlite/ledger-writer-worker.mjs']) {
      expect(existsSync(join(OUT_DIR, left)), left).toBe(false);
    }
    // The emitted imports name the compiled files.
    expect(readFileSync(join(OUT_DIR, 'hub/main.js'), 'utf8')).not.toMatch(/from '\.{1,2}\/[^']*\.ts'/);
  });

  it('refuses to start from a missing build or one older than its sources, and says what to do (exit 3)', async () => {
    const missing = await runCompiled(join(WORK, 'no-build-here'), ['--help']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no compiled build in .*no-build-here: run 'npm run build'/);

    const stampPath = join(OUT_DIR, 'build-stamp.json');
    const stamp = readFileSync(stampPath, 'utf8');
    // As if every source had changed after the build (touching a real source would disturb everyone else's builds).
    writeFileSync(stampPath, stamp.replace(/"sourcesReadFrom": \d+/, '"sourcesReadFrom": 0'));
    try {
      const stale = await runCompiled(OUT_DIR, ['--help']);
      expect(stale.code).toBe(3);
      expect(stale.stderr).toMatch(/is older than its sources \(\S+\.ts changed since\): run 'npm run build' again/);
    } finally {
      writeFileSync(stampPath, stamp);
    }
    const help = await runCompiled(current(), ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: memberkiosk <command>');

    // The benchmarks and the soak run from the sources only.
    const bench = await runCompiled(current(), ['bench', 'rules-eval']);
    expect(bench.code).toBe(1);
    expect(bench.stderr).toContain('runs from the sources (npm run bench)');
  });

  it('a compiled hub and kiosk: the screen and API answer, a tap shows the member, Node-RED runs the shipped flow, the hub reports from its threads, and nothing loaded is TypeScript or tsx', async () => {
    const nodeArgs = ['--import', pathToFileURL(PROBE).href];
    const hubDir = join(WORK, 'hub');
    const kioskDir = join(WORK, 'kiosk');
    const hub = spawnCompiled(current(), ['hub', '--data', hubDir, '--mqtt-port', '0', '--http-port', '0', '--https-port', '0', '--mqtts-port', '0', '--demo', 'true', '--log-level', 'warn'], { nodeArgs });
    children.push(hub);
    const [, hubUrl, httpsUrl] = await stdoutMatch(hub, HUB_READY, 30_000, 'the compiled hub');

    await provisionWithCompiledCli(current(), { hubDataDir: hubDir, httpsUrl: httpsUrl!, storeId: DEMO_STORE_ID, deviceId: 'kiosk-compiled', kioskDataDir: kioskDir });

    // With Node-RED on: the child, our nodes and the shipped flow are found in the repository from dist/ too.
    const kiosk = spawnCompiled(current(), ['device', '--data', kioskDir, '--port', '0', '--demo', '--log-level', 'warn', '--node-red', '--node-red-port', '0', '--node-red-flows', 'tenth-visit-coupon'], {
      nodeArgs,
      env: { MEMBERKIOSK_NODE_RED_SECRET: 'compiled-build-test-secret' },
    });
    children.push(kiosk);
    const editorLine = stdoutMatch(kiosk, /Node-RED editor: (http:\/\/\S+)/, 60_000, 'the compiled kiosk with Node-RED');
    const [, deviceId, screenUrl] = await stdoutMatch(kiosk, KIOSK_READY, 30_000, 'the compiled kiosk');
    expect(deviceId).toBe('kiosk-compiled');

    // The screen: the repository's build of device/screen, found from dist/.
    const screen = await fetch(`${screenUrl}/`);
    expect(screen.status).toBe(200);
    expect(await screen.text()).toContain('<div id="app"');
    await untilConnected(screenUrl!);

    const tap = await fetch(`${screenUrl}/api/sim/tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: DEMO_CARDS.gold }) });
    expect(tap.status).toBe(200);
    const { session } = (await tap.json()) as { session: { name: string; member?: { memberId: string; tier: string } } };
    expect(session.name).toBe('member');
    expect(session.member).toMatchObject({ memberId: 'M0003', tier: 'gold' });

    // The hub's reports: a query on the report thread, an export on an export thread.
    const login = await fetch(`${hubUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const churn = await fetch(`${hubUrl}/api/reports/churn?days=90`, { headers: { authorization: `Bearer ${token}` } });
    expect(churn.status).toBe(200);
    expect(((await churn.json()) as { counts: { total: number } }).counts.total).toBeGreaterThan(0);
    const csv = await fetch(`${hubUrl}/api/reports/churn?days=90&format=csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('会员号');

    // Node-RED started its flows (the kiosk prints the editor's address then), and its editor answers.
    const [, editorUrl] = await editorLine;
    expect((await fetch(editorUrl!)).status).toBe(200);

    // The console, from the repository's console/dist.
    expect((await fetch(`${hubUrl}/console/`)).status).toBe(200);
    // The kiosk's software version, read from the repository's package.json (dist/ has none), as the hub's registry shows it.
    const version = (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await reportedSoftware(hubUrl!, token, 'kiosk-compiled')).toBe(version);

    const loaded = loadedModules();
    const outUrl = pathToFileURL(OUT_DIR).href;
    for (const module of ['scripts/cli.js', 'hub/main.js', 'device/main.js', 'hub/reports/report-query-worker.js', 'hub/reports/export-rows-worker.js']) {
      expect(loaded, module).toContain(`${outUrl}/${module}`);
    }
    expect(loaded.filter((url) => url.includes('/node_modules/tsx/'))).toEqual([]);
    expect(loaded.filter((url) => /\.(ts|mts|cts)$/.test(url))).toEqual([]);
    // Our own code came from the build only (bin/ and the web apps' and flows' files aside).
    const ownOutsideBuild = loaded.filter((url) => url.startsWith(pathToFileURL(REPOSITORY_ROOT).href) && !url.startsWith(outUrl) && !url.includes('/node_modules/') && !url.includes('/bin/') && !url.startsWith(pathToFileURL(WORK).href));
    expect(ownOutsideBuild).toEqual([]);
  }, 90_000);

  it("the compiled ledger writer thread applies a batch from JavaScript alone (the hub starts it at its first busy batch)", async () => {
    const script = join(WORK, 'writer-thread-probe.mjs');
    const outUrl = pathToFileURL(current()).href;
    writeFileSync(
      script,
      `import pino from 'pino';
const [out, path] = process.argv.slice(2);
const { SqliteLedgerStore } = await import(out + '/hub/ledger/sqlite/sqlite-ledger-store.js');
const { DEFAULT_RULES_BUNDLE } = await import(out + '/core/rules/default-bundle.js');
const { parseLedgerTransaction } = await import(out + '/hub/ledger/ledger-parse.js');
const { TX_FORMAT } = await import(out + '/core/wire/transaction.js');
const store = new SqliteLedgerStore({ path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, writerThread: true, writerThreadMinBatch: 1, writerThreadAtOpen: true });
await store.open();
const tx = { v: TX_FORMAT, id: '01JABCDEFGHJKMNPQRSTVWXYZ0', deviceId: 'kiosk-probe', epoch: 'E1', seq: 1, createdAt: new Date().toISOString(), storeId: 'store-001', bundleVersion: 1,
  kind: 'purchase', cardUid: '0400000000DEAD', lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: 100 }], payments: [{ method: 'cash', amountCents: 100 }] };
const results = await store.applyBatch([{ topicDeviceId: 'kiosk-probe', parsed: parseLedgerTransaction(JSON.stringify(tx)) }]);
console.log(JSON.stringify(results.map((r) => [r.status, r.code, r.recorded])));
await store.close();
`,
    );
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', pathToFileURL(PROBE).href, script, outUrl, join(WORK, 'writer-thread-ledger.sqlite')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    // Recorded by the thread's store: the unknown card is a business refusal that fills the slot.
    expect(JSON.parse(stdout)).toEqual([['rejected', 'CARD_UNKNOWN', true]]);
    const loaded = loadedModules();
    expect(loaded).toContain(`${outUrl}/hub/ledger/sqlite/ledger-writer-worker.js`);
    expect(loaded.filter((url) => /\.(ts|mts|cts)$/.test(url) || url.includes('/node_modules/tsx/'))).toEqual([]);
  }, 60_000);
});
