/**
 * `npm run soak` end to end: a real Mosquitto, the hub and the kiosk(s) as real processes, a paced load with
 * Idempotency-Keys through the kiosk API while the chaos schedule SIGKILLs them, then a drain, a clean stop,
 * and the checks read from the files. Returns the exit code: 0 only when every check passed and every process
 * was killed at least the target number of times.
 *
 * Set up as docs/OPERATIONS.md tells an operator with an external broker: Mosquitto with a TLS listener only and
 * the dynamic security plugin, its certificate the hub's own (DATA/tls/, made before the first start); the hub's
 * account made once through the plugin, and the hub started with --broker mqtts://hub:…, --dynsec-admin
 * mqtts://admin:… and --kiosk-broker mqtts://…; each kiosk provisioned as a technician does (a one-time code for
 * an `attended` kiosk, redeemed over the hub's HTTPS with the CA pinned from the code, which makes its account on
 * the broker), then started as `memberkiosk device --data DIR` from what provisioning stored (broker address,
 * credentials, the CA to trust). Attended kiosks take the tills' cash; top-ups go through a staff session on the
 * kiosk.
 *
 * Mosquitto serves a certificate of the hub's own CA (made up front in the hub's data dir), which the hub trusts
 * on an external mqtts:// broker as it trusts the public roots (hub/main.ts externalBrokerCas).
 *
 * The work dir (data dirs and one log per process) is kept when anything failed and removed when all passed.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distinctFreePorts } from '../../e2e/support/free-port.ts';
import pino from 'pino';
import { provisionTestKiosk } from '../../e2e/support/provision-test-kiosk.ts';
import { MosquittoDynsecAccounts } from '../../hub/broker/mosquitto-dynsec-accounts.ts';
import { ensureHubTls } from '../../hub/pki/hub-tls.ts';
import { mergeFiguresIntoFile, RESULTS_PATH } from '../bench/merge-results.ts';
import { ChaosMonkey } from './chaos.ts';
import { checkDelivery, type CheckResult } from './check-delivery.ts';
import { LoadDriver, SOAK_REQUEST_KINDS } from './load-driver.ts';
import { percentile } from '../bench/support/percentile.ts';
import { countLoggedCodes, ManagedBroker, ManagedProcess, type ExitInfo, type UnexpectedExit } from './processes.ts';
import { seededRandom } from './random.ts';
import type { SoakOptions } from './soak-options.ts';
import { formatSummary, minKioskKills, soakBenchRows, soakPassed, type SoakSummary } from './report.ts';
import { readLedger, readLedgerSnapshot, readOutbox, type OutboxFileRow } from './soak-files.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Console, broker (over TLS: nothing else is listening) and the HTTPS listener that enrols the kiosks. */
const HUB_READY = /hub console: (http:\/\/\S+)\nMQTT broker: (mqtts:\/\/\S+)\nhub HTTPS \(console, enrolment\): (https:\/\/\S+)\n/;
const KIOSK_READY = /screen: (http:\/\/\S+?)\/?\n/;

interface KioskState {
  connected?: boolean;
  mode?: string;
  outboxDepth?: number;
  epoch?: string;
  alerts?: { code?: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);

async function kioskState(apiUrl: string): Promise<KioskState | null> {
  try {
    const response = await fetch(`${apiUrl}/state`, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? ((await response.json()) as KioskState) : null;
  } catch {
    return null;
  }
}

/** Polls until `done` holds; false after the timeout or once aborted. */
async function until(done: () => Promise<boolean>, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted) {
    if (await done()) return true;
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return false;
}

export async function runSoak(opts: SoakOptions, signal: AbortSignal): Promise<number> {
  const started = Date.now();
  const random = seededRandom(opts.seed);
  const workDir = mkdtempSync(join(tmpdir(), 'memberkiosk-soak-'));
  say(`soak: work dir ${workDir} (data dirs and one log per process; kept if a check fails)`);
  say(`soak: ${opts.kills} SIGKILLs each of the hub and ${opts.kiosks} kiosk(s), ${opts.brokerRestarts} broker restarts, ~${opts.rate} req/s over ${opts.tills} tills, seed ${opts.seed}`);

  const hubDir = join(workDir, 'hub');
  mkdirSync(hubDir);
  const kioskIds = Array.from({ length: opts.kiosks }, (_, i) => `soak-kiosk-${i + 1}`);
  const [mqttPort, hubHttpPort, ...kioskPorts] = await distinctFreePorts(2 + opts.kiosks);
  if (mqttPort === undefined || hubHttpPort === undefined) throw new Error('no free ports');
  const hubLogin = { username: 'hub', password: randomBytes(12).toString('hex') };
  // The hub's CA and its server certificate (loopback names), made now as the hub would at its first start: the
  // broker's TLS listener serves this certificate, which the hub and the kiosks trust through the hub's CA.
  const hubTls = await ensureHubTls(hubDir, []);

  const unexpectedExits: UnexpectedExit[] = [];
  let tearingDown = false;
  const onUnexpectedExit = (exit: UnexpectedExit) => {
    if (tearingDown) return;
    unexpectedExits.push(exit);
    say(`soak: ${exit.name} exited on its own (code ${exit.exit.code}, signal ${exit.exit.signal}): see its log`);
  };
  const broker = new ManagedBroker(mqttPort, {
    dir: join(workDir, 'mosquitto'),
    tls: { certPem: hubTls.certChainPem, keyPem: hubTls.keyPem },
    adminPassword: randomBytes(12).toString('hex'),
    logFile: join(workDir, 'mosquitto.log'),
  });
  const hub = new ManagedProcess(
    {
      name: 'hub',
      args: [
        'hub',
        '--broker',
        broker.url(hubLogin),
        '--dynsec-admin',
        broker.adminUrl,
        '--kiosk-broker',
        broker.url(),
        '--data',
        hubDir,
        '--http-port',
        String(hubHttpPort),
        '--https-port',
        '0',
        '--demo',
        'true',
        '--log-level',
        'warn',
      ],
      ready: HUB_READY,
      logFile: join(workDir, 'hub.log'),
    },
    onUnexpectedExit,
  );
  const kiosks = kioskIds.map((id, i) => {
    const dataDir = join(workDir, id);
    const port = kioskPorts[i];
    if (port === undefined) throw new Error('no free port for a kiosk');
    return {
      id,
      dataDir,
      apiUrl: `http://127.0.0.1:${port}/api`,
      process: new ManagedProcess(
        {
          name: id,
          // Identity, store, broker, credentials and CA from what provisioning stored in the data dir.
          args: ['device', '--data', dataDir, '--port', String(port), '--demo', '--log-level', 'warn'],
          ready: KIOSK_READY,
          logFile: join(workDir, `${id}.log`),
        },
        onUnexpectedExit,
      ),
    };
  });
  const all = [hub, ...kiosks.map((k) => k.process)];
  // The last resort on any exit path (an exception, process.exit on a second Ctrl-C): no child outlives us.
  const killOnExit = () => all.forEach((p) => p.killNow());
  process.once('exit', killOnExit);

  const startsOf = new Map(kiosks.map((k) => [k.id, k.process]));
  const load = new LoadDriver({
    kiosks: kiosks.map((k) => ({ id: k.id, apiUrl: k.apiUrl })),
    rate: opts.rate,
    tills: opts.tills,
    random,
    keyPrefix: `soak-${opts.seed.toString(36)}-${Date.now().toString(36)}`,
    kioskStarts: (id) => startsOf.get(id)?.startCount ?? 0,
  });
  // After a hub kill the kiosks should hear the hub's last will ("offline" on hub/availability) and say so in
  // GET /api/state (connected: false): new sales then answer "queued" at once instead of waiting for a hub
  // that is gone. Watched while the broker and the kiosk stay up; told in the summary, not a delivery check.
  const hubGone = { watched: 0, noticed: 0 };
  const watchHubKill = async (name: string, downMs: number) => {
    if (name !== hub.spec.name || !broker.isUp) return;
    await Promise.all(kiosks.filter((k) => k.process.isUp).map(async (k) => {
      const deadline = Date.now() + Math.min(1_500, downMs);
      let noticed = false;
      while (!noticed && Date.now() < deadline && k.process.isUp && broker.isUp) {
        noticed = (await kioskState(k.apiUrl))?.connected === false;
        if (!noticed) await sleep(50);
      }
      if (!k.process.isUp || !broker.isUp) return;
      hubGone.watched += 1;
      if (noticed) hubGone.noticed += 1;
    }));
  };
  const chaos = new ChaosMonkey(all, broker, { killsEach: opts.kills, brokerRestarts: opts.brokerRestarts, gapMs: [700, 3000], downMs: [200, 2000], random, say, afterKill: watchHubKill });
  const onAbort = () => {
    say('soak: interrupted: stopping the chaos and the load, killing every process');
    tearingDown = true;
    chaos.stop();
    all.forEach((p) => p.killNow());
    void load.stop(0);
  };
  signal.addEventListener('abort', onAbort, { once: true });

  const checks: CheckResult[] = [];
  let loadStarted = 0;
  let loadMs = 0;
  let drainMs: number | null = null;
  const finalAlerts: Record<string, number> = {};
  const stopExits: { name: string; exit: ExitInfo | null }[] = [];
  let summary: SoakSummary | null = null;
  try {
    // --- up ---
    await broker.start();
    // The hub's own account, made once through the plugin (docs/OPERATIONS.md); kept in dynsec.json from now on.
    await new MosquittoDynsecAccounts({ url: broker.adminUrl, ca: [hubTls.caPem], logger: pino({ level: 'silent' }) }).ensureHubAccount(hubLogin.username, hubLogin.password);
    const hubReady = await hub.start();
    const httpsUrl = hubReady[3];
    if (httpsUrl === undefined) throw new Error('the hub printed no HTTPS address to enrol the kiosks at');
    // Provisioned as a technician does: an `attended` code from the hub's fleet, redeemed over its HTTPS; the
    // hub makes the kiosk's account on the broker, and the stored provisioning says where (mqtts) and whom to trust.
    for (const k of kiosks) {
      const provisioned = await provisionTestKiosk({ hubDataDir: hubDir, httpsUrl, deviceId: k.id, kioskDir: k.dataDir });
      if (!provisioned.brokerUrl.startsWith('mqtts://')) throw new Error(`${k.id} was told to reach the broker at ${provisioned.brokerUrl}, not over TLS`);
    }
    for (const k of kiosks) await k.process.start();
    // Connected, and told by the hub that it is attended (the mode its enrolment code carried).
    const connected = await until(async () => (await Promise.all(kiosks.map((k) => kioskState(k.apiUrl)))).every((s) => s?.connected === true && s.mode === 'attended'), 30_000, signal);
    if (!connected) throw new Error('the kiosks did not connect to the hub (and learn they are attended) within 30 s of starting');
    // Every demo card once on every kiosk: each kiosk's cache then shows the member while the hub is down.
    await load.prepare();
    const before = readLedgerSnapshot(hubDir);
    say(`soak: hub and ${kiosks.length} kiosk(s) up; ${before.txIds.size} transactions in the ledger before the load; load and chaos start`);

    // --- load under chaos ---
    loadStarted = Date.now();
    load.start();
    const progress = setInterval(() => {
      const p = load.progress();
      say(`soak: ${Math.round((Date.now() - loadStarted) / 1000)} s: ${p.made} requests, ${p.accepted} accepted, ${p.cutOff} cut off, ${p.staffWaits} top-ups postponed (no staff session), ${p.inFlight} in flight; kills hub ${hub.killCount}, ${kiosks.map((k) => `${k.id} ${k.process.killCount}`).join(', ')}; broker restarts ${broker.restartCount}`);
    }, 10_000);
    try {
      await chaos.run();
    } finally {
      clearInterval(progress);
    }
    if (signal.aborted) return interrupted(workDir);

    // --- drain ---
    for (const p of all) if (!p.isRunning) await p.start();
    say('soak: chaos done; every process is up; stopping the load (requests under way are retried until answered)');
    await load.stop(opts.drainTimeoutMs);
    loadMs = Date.now() - loadStarted;
    if (signal.aborted) return interrupted(workDir);
    const drainStarted = Date.now();
    const drained = await until(
      async () => (await Promise.all(kiosks.map((k) => kioskState(k.apiUrl)))).every((s) => s?.connected === true && s.outboxDepth === 0),
      opts.drainTimeoutMs,
      signal,
    );
    if (signal.aborted) return interrupted(workDir);
    if (drained) drainMs = Date.now() - drainStarted;
    const states = await Promise.all(kiosks.map(async (k) => ({ id: k.id, state: await kioskState(k.apiUrl) })));
    for (const { id, state } of states) for (const a of state?.alerts ?? []) finalAlerts[`${id} ${a.code}`] = (finalAlerts[`${id} ${a.code}`] ?? 0) + 1;
    checks.push({
      name: `drained within ${opts.drainTimeoutMs / 1000} s (every kiosk connected, outbox depth 0)`,
      ok: drained,
      details: drained ? [] : states.map(({ id, state }) => `${id}: ${state ? `connected ${state.connected}, outboxDepth ${state.outboxDepth}, epoch ${state.epoch}` : 'no answer'}`),
    });
    say(drained ? `soak: drained in ${((drainMs ?? 0) / 1000).toFixed(1)} s; stopping every process with SIGTERM` : 'soak: did NOT drain; stopping every process with SIGTERM');

    // --- clean stop: kiosks, hub, broker ---
    tearingDown = true;
    for (const p of [...kiosks.map((k) => k.process), hub]) stopExits.push({ name: p.spec.name, exit: await stopWithin(p, 15_000) });
    await broker.stop();
    checks.push({
      name: 'every process stopped cleanly on SIGTERM (exit 0)',
      ok: stopExits.every((s) => s.exit?.code === 0),
      details: stopExits.filter((s) => s.exit?.code !== 0).map((s) => `${s.name}: ${JSON.stringify(s.exit)}`),
    });
    checks.push({
      name: 'no process died on its own',
      ok: unexpectedExits.length === 0,
      details: unexpectedExits.map((u) => `${u.at} ${u.name} exited with code ${u.exit.code} signal ${u.exit.signal}`),
    });

    // --- the files ---
    const outboxes = new Map<string, OutboxFileRow[]>(kiosks.map((k) => [k.id, readOutbox(k.dataDir)]));
    const ledger = readLedger(hubDir);
    const answers = load.results();
    // Every request with each attempt, for diagnosis next to the process logs.
    writeFileSync(join(workDir, 'requests.jsonl'), answers.map((a) => JSON.stringify(a)).join('\n') + '\n');
    writeFileSync(join(workDir, 'chaos.jsonl'), chaos.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const verdict = checkDelivery({ kioskIds, answers, outboxes, ledger, before });
    const audit = spawnSync(process.execPath, ['bin/memberkiosk.mjs', 'audit', '--data', hubDir], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    const killTargetMet = hub.killCount >= opts.kills && kiosks.every((k) => k.process.killCount >= opts.kills);
    const kindsMissing = SOAK_REQUEST_KINDS.filter((kind) => (verdict.acceptedByKind[kind] ?? 0) === 0);
    checks.push(
      ...verdict.checks,
      {
        name: 'every kind of request accepted at least once (cash on attended kiosks, top-ups under staff sessions)',
        ok: kindsMissing.length === 0,
        details: kindsMissing.map((kind) => `no ${kind} was accepted (${answers.filter((a) => a.request.kind === kind).length} made)`),
      },
      {
        name: 'memberkiosk audit --data HUBDIR exits 0 (journal = every balance)',
        ok: audit.status === 0,
        details: audit.status === 0 ? [] : [`exit ${audit.status}`, ...`${audit.stdout}${audit.stderr}`.trim().split('\n')],
      },
      {
        name: `kills ≥ ${opts.kills} of each process`,
        ok: killTargetMet,
        details: killTargetMet ? [] : [`hub ${hub.killCount}, ${kiosks.map((k) => `${k.id} ${k.process.killCount}`).join(', ')}`],
      },
    );
    const latencies = answers.flatMap((a) => (a.answerMs === null ? [] : [a.answerMs]));
    summary = {
      seed: opts.seed,
      durationMs: Date.now() - started,
      loadMs,
      rate: opts.rate,
      tills: opts.tills,
      killTarget: opts.kills,
      hubKills: hub.killCount,
      kioskKills: Object.fromEntries(kiosks.map((k) => [k.id, k.process.killCount])),
      brokerRestarts: broker.restartCount,
      requests: answers.length,
      accepted: verdict.accepted,
      applied: verdict.applied,
      recordedRefusals: verdict.recordedRefusals,
      offlineLimited: verdict.offlineLimited,
      refused: verdict.refused,
      unanswered: verdict.unanswered,
      retried: answers.filter((a) => a.cutOff > 0).length,
      replayed: answers.filter((a) => a.replayed).length,
      recoveredByKey: answers.filter((a) => a.recoveredByKey).length,
      tapMisses: answers.reduce((n, a) => n + a.tapMisses, 0),
      staff: {
        signIns: load.staff.signIns,
        topUps: answers.filter((a) => a.request.kind === 'top_up').length,
        postponed: answers.filter((a) => a.staffWaits > 0).length,
        unavailable: load.staff.unavailable,
      },
      acceptedByKind: verdict.acceptedByKind,
      lost: verdict.lostCount,
      doubled: verdict.doubledCount,
      epochs: verdict.epochs,
      drainMs,
      alerts: { ...finalAlerts, ...ledger.alerts },
      logged: Object.fromEntries(all.map((p) => [p.spec.name, countLoggedCodes(p.spec.logFile)])),
      hubGoneNoticed: hubGone,
      answerMs: latencies.length === 0 ? { p50: 0, p99: 0, max: 0 } : { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) },
      workDir,
      checks,
    };
    say(formatSummary(summary));
    say(`audit: ${audit.stdout.trim()}`);
    if (opts.writeBench) {
      mergeFiguresIntoFile(soakBenchRows(summary), join(REPO_ROOT, RESULTS_PATH));
      say(`soak: merged 'soak kills' and 'soak lost or doubled' into ${RESULTS_PATH} (by name; other rows kept)`);
    }
  } catch (error) {
    if (signal.aborted) return interrupted(workDir);
    say(`soak: FAILED before the checks: ${(error as Error).stack ?? String(error)}`);
    say(`soak: work dir kept: ${workDir}`);
    return 1;
  } finally {
    tearingDown = true;
    signal.removeEventListener('abort', onAbort);
    await Promise.all(all.map((p) => p.kill('SIGKILL')));
    await broker.stop().catch(() => undefined);
    process.off('exit', killOnExit);
  }

  if (!summary) return 1;
  const passed = soakPassed(summary) && hub.killCount >= opts.kills && minKioskKills(summary) >= opts.kills;
  if (passed && !opts.keepWorkDir) {
    rmSync(workDir, { recursive: true, force: true });
    say(`soak: every check passed; work dir ${workDir} removed`);
  } else {
    say(passed ? `soak: every check passed; work dir kept (--keep): ${workDir}` : `soak: checks FAILED; work dir kept for diagnosis: ${workDir} (hub.log, ${kioskIds.map((id) => `${id}.log`).join(', ')}, requests.jsonl, chaos.jsonl, data dirs)`);
  }
  return passed ? 0 : 1;
}

function interrupted(workDir: string): number {
  say(`soak: interrupted; nothing was checked; work dir kept: ${workDir}`);
  return 130;
}

/** SIGTERM, then SIGKILL if it has not exited within `ms` (its exit then reads as a SIGKILL, not a clean stop). */
async function stopWithin(p: ManagedProcess, ms: number): Promise<ExitInfo | null> {
  const exit = p.kill('SIGTERM');
  const timer = setTimeout(() => void p.kill('SIGKILL'), ms);
  try {
    return await exit;
  } finally {
    clearTimeout(timer);
  }
}
