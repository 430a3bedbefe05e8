/**
 * Fleet throughput (issue 15; informational on 2 cores): how many kiosk sales a second the chain takes — simulated
 * kiosks (real outbox and hub link code, enrolled, over TLS; scripts/bench/support/kiosk-load-generator.ts) through a
 * TLS-only Mosquitto 2 with dynamic security into 1, 2 and 4 `memberkiosk hub` workers on one PostgreSQL ledger. A
 * closed loop: every kiosk keeps a few sales waiting for their results for the whole run, so the chain is always
 * busy; tx/s = results that closed an entry during the run / its length, with the confirmation p99 under that load.
 * The notes give CPU seconds of the broker, the database and each worker from /proc (scripts/bench/support/proc-cpu.ts),
 * which say where the limit is. Baseline: the 1-worker run's tx/s (ratio: how far more workers scale). Met: every
 * sale applied exactly once and the journal audit clean (there is no throughput target on this machine).
 *
 * Runs with more than one worker need the hub's worker mode (workerModeArgs); without it they are not made and the
 * 1-worker row says so. MK_THROUGHPUT_KIOSKS, MK_THROUGHPUT_SECONDS, MK_FLEET_WORKERS (e.g. "1,2") resize it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchFigure } from '../figure.ts';
import { describeCpu, describeLatency, fleetRun, workerModeArgs, type FleetRunResult } from '../support/fleet-run.ts';

const KIOSKS = Number(process.env['MK_THROUGHPUT_KIOSKS'] ?? 300);
const SECONDS = Number(process.env['MK_THROUGHPUT_SECONDS'] ?? 20);
const WORKER_COUNTS = (process.env['MK_FLEET_WORKERS'] ?? '1,2,4').split(',').map(Number);
const OUTSTANDING = 4;
const GENERATORS = 3;
/**
 * A chain of thousands of kiosks has hundreds of thousands of members or more. With 1,000, every pair of batches
 * shared a card or several, which no real fleet does at this rate.
 */
const MEMBERS = 200_000;
const WINDOW = 100;

export async function measure(): Promise<BenchFigure[]> {
  const workerArgs = workerModeArgs();
  const counts = WORKER_COUNTS.filter((n) => n === 1 || workerArgs !== null);
  const skipped = WORKER_COUNTS.filter((n) => !counts.includes(n));
  const runs: FleetRunResult[] = [];
  for (const workers of counts) {
    const dir = mkdtempSync(join(tmpdir(), 'mk-bench-throughput-'));
    try {
      process.stderr.write(`bench: fleet throughput with ${workers} worker(s)...\n`);
      runs.push(
        await fleetRun({ dir, kiosks: KIOSKS, members: MEMBERS, workers, workerArgs: workerArgs ?? [] }, GENERATORS, {
          kind: 'closed',
          outstanding: OUTSTANDING,
          window: WINDOW,
          seconds: SECONDS,
          drainWaitMs: 30_000,
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const rate = (r: FleetRunResult) => r.confirmedInWindow / SECONDS;
  const single = runs.find((r) => r.workers === 1);
  return runs.map((r) => {
    const correct = r.ledgerApplied === r.applied && r.applied === r.sold && r.auditFindings === 0 && r.stillPending === 0;
    const baseline = single ? rate(single) : rate(r);
    return {
      name: `fleet throughput (${r.workers} worker${r.workers === 1 ? '' : 's'})`,
      value: rate(r),
      unit: 'tx/s',
      baseline,
      ratio: rate(r) / baseline,
      target: 'informational (2 cores); met = every sale applied exactly once, audit clean',
      met: correct,
      notes:
        `${r.kiosks} enrolled kiosks over TLS in ${r.generators} processes, each keeping ${OUTSTANDING} sales in flight for ${SECONDS} s to the cards of ${MEMBERS} members, ` +
        `Mosquitto 2 (dynsec) + PostgreSQL + ${r.workers} hub process${r.workers === 1 ? '' : 'es'}${r.workers > 1 ? ` (${(workerArgs ?? []).join(' ')})` : ''}; ` +
        `${describeLatency(r)}; ${describeCpu(r)}; ${r.ingest}; ${r.sold} sold, ${r.applied} applied (ledger: ${r.ledgerApplied}), refusals ${JSON.stringify(r.refusals)}; simulated kiosks: the kiosk's outbox on in-memory SQLite (no fsync) and its hub link` +
        (r.workers === 1 && skipped.length > 0 ? `; ${skipped.join(' and ')} workers not measured: the hub has no worker mode yet (MK_FLEET_WORKER_ARGS names its flag)` : ''),
    };
  });
}
