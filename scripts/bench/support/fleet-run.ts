/**
 * One run of a fleet benchmark: the chain up (fleet-rig.ts), the kiosks connected from their load-generator
 * processes before anything is timed (load-generators.ts), the plan run, CPU seconds of every part sampled from
 * /proc around it, then the checks every fleet figure needs: each sale applied exactly once in the ledger, the
 * journal audit clean.
 */
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { percentile } from './percentile.ts';
import { startFleetRig, type CpuSample, type FleetRigOptions } from './fleet-rig.ts';
import { startLoadGenerators } from './load-generators.ts';
import type { GeneratorDone, LoadPlan } from './load-plan.ts';
import { treeCpuSeconds } from './proc-cpu.ts';
import { describeIngest, readWorkerIngest, type WorkerIngest } from './worker-metrics.ts';

export interface FleetRunResult {
  kiosks: number;
  generators: number;
  workers: number;
  wallSeconds: number;
  samples: number[];
  /** Confirmation times of the warm-up's sales (a paced plan with warmupSeconds), kept apart from `samples`. */
  warmupSamples: number[];
  confirmedInWindow: number;
  sold: number;
  applied: number;
  refusals: Record<string, number>;
  maxDepth: number;
  overWindow: number;
  stillPending: number;
  drainMs: number;
  /** Kiosks up (connected, hub online) when the load started and when it ended. */
  upAtStart: number;
  upAtEnd: number;
  /** Applied rows of the bench's kiosks in the ledger: equal to `applied` when every sale went in once. */
  ledgerApplied: number;
  auditFindings: number;
  cpu: { broker: number; database: number; workers: number[]; generators: number };
  setup: { membersMs: number; enrolMs: number; workersMs: number; connectMs: number };
  /** What the workers' /metrics said about the run, in words. */
  ingest: string;
}

export async function fleetRun(rigOptions: FleetRigOptions, generators: number, plan: LoadPlan): Promise<FleetRunResult> {
  const rig = await startFleetRig(rigOptions);
  try {
    const load = await startLoadGenerators({ processes: generators, url: rig.brokerUrl, caPem: rig.caPem, kiosks: rig.kiosks, cards: rig.cards, window: plan.window });
    let done: GeneratorDone[];
    let before: CpuSample;
    let after: CpuSample;
    let generatorCpu: number;
    let wallSeconds: number;
    let ingestBefore: (WorkerIngest | null)[];
    let ingestAfter: (WorkerIngest | null)[];
    try {
      ingestBefore = await Promise.all(rig.workerHttpUrls.map(readWorkerIngest));
      before = rig.cpu();
      const generatorsBefore = load.pids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0);
      const started = performance.now();
      done = await load.run(plan);
      wallSeconds = (performance.now() - started) / 1_000;
      after = rig.cpu();
      generatorCpu = load.pids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0) - generatorsBefore;
      ingestAfter = await Promise.all(rig.workerHttpUrls.map(readWorkerIngest));
    } finally {
      await load.stop();
    }
    const ledger = await rig.ledger();
    const db = new pg.Client({ connectionString: rig.databaseUrl });
    await db.connect();
    let ledgerApplied: number;
    try {
      const prefix = `${rigOptions.kioskPrefix ?? 'sim'}-%`;
      ledgerApplied = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM transactions WHERE status = 'applied' AND device_id LIKE $1`, [prefix])).rows[0]!.n);
    } finally {
      await db.end();
    }
    const auditFindings = (await ledger.audit()).length;
    const sum = (pick: (d: GeneratorDone) => number) => done.reduce((n, d) => n + pick(d), 0);
    return {
      kiosks: rig.kiosks.length,
      generators,
      workers: rigOptions.workers,
      wallSeconds,
      samples: done.flatMap((d) => d.samples),
      warmupSamples: done.flatMap((d) => d.warmupSamples),
      confirmedInWindow: sum((d) => d.confirmedInWindow),
      sold: sum((d) => d.sold),
      applied: sum((d) => d.applied),
      refusals: done.reduce<Record<string, number>>((all, d) => {
        for (const [code, n] of Object.entries(d.refusals)) all[code] = (all[code] ?? 0) + n;
        return all;
      }, {}),
      maxDepth: Math.max(...done.map((d) => d.maxDepth)),
      overWindow: sum((d) => d.overWindow),
      stillPending: sum((d) => d.stillPending),
      drainMs: Math.max(...done.map((d) => d.drainMs)),
      upAtStart: sum((d) => d.upAtStart),
      upAtEnd: sum((d) => d.upAtEnd),
      ledgerApplied,
      auditFindings,
      cpu: { broker: after.broker - before.broker, database: after.database - before.database, workers: after.workers.map((w, i) => w - before.workers[i]!), generators: generatorCpu },
      setup: { ...rig.setup, connectMs: load.connectMs },
      ingest: describeIngest(ingestBefore, ingestAfter),
    };
  } finally {
    await rig.stop();
  }
}

/** CPU seconds in words, with cores used on average over the wall time, and the busiest server part named. */
export function describeCpu(result: FleetRunResult): string {
  const cores = (s: number) => `${s.toFixed(1)} s (${(s / result.wallSeconds).toFixed(2)} cores)`;
  const workersTotal = result.cpu.workers.reduce((a, b) => a + b, 0);
  const perWorker = result.cpu.workers.map((w) => (w / result.wallSeconds).toFixed(2)).join('/');
  const parts: [string, number][] = [
    ['broker', result.cpu.broker],
    ['database', result.cpu.database],
    [`a worker`, Math.max(...result.cpu.workers)],
  ];
  const busiest = parts.sort((a, b) => b[1] - a[1])[0]!;
  return (
    `CPU over ${result.wallSeconds.toFixed(1)} s: broker ${cores(result.cpu.broker)}, database ${cores(result.cpu.database)}, ` +
    `workers ${cores(workersTotal)} [per worker ${perWorker} cores], load generators ${cores(result.cpu.generators)}; ` +
    `busiest server part: ${busiest[0]} at ${(busiest[1] / result.wallSeconds).toFixed(2)} cores (Mosquitto and each worker's event loop are single-threaded: ~1 core is their ceiling; the machine has 2)`
  );
}

export function describeLatency(result: FleetRunResult): string {
  return `kiosks up (connected, hub online) at the start ${result.upAtStart}, at the end ${result.upAtEnd}; confirmation p50 ${percentile(result.samples, 50).toFixed(0)} ms, p99 ${percentile(result.samples, 99).toFixed(0)} ms, max ${Math.max(0, ...result.samples).toFixed(0)} ms`;
}

/**
 * The extra arguments that make `memberkiosk hub` one of several workers, `{id}` standing for the worker's id:
 * MK_FLEET_WORKER_ARGS if set (split on spaces), else `--worker {id}` when `memberkiosk hub --help` names
 * `--worker ID`; null while the hub has no worker mode (runs with more than one worker are then not made: two plain
 * hubs on one broker would each apply every transaction).
 */
export function workerModeArgs(): string[] | null {
  const fromEnv = process.env['MK_FLEET_WORKER_ARGS'];
  if (fromEnv !== undefined) return fromEnv.split(' ').filter(Boolean);
  const help = spawnSync(process.execPath, ['bin/memberkiosk.mjs', 'hub', '--help'], { cwd: new URL('../../../', import.meta.url).pathname, encoding: 'utf8' });
  return /--worker ID\b/.test(`${help.stdout}${help.stderr}`) ? ['--worker', '{id}'] : null;
}

/** The open-file hard limit of a process here (`ulimit -Hn`): each kiosk connection holds one. */
export function openFileHardLimit(): number {
  const answer = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  return answer === 'unlimited' ? Number.POSITIVE_INFINITY : Number(answer);
}
