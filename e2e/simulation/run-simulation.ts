/**
 * One seeded run of a kiosk and a hub over a simulated network and clock (see sim-network.ts for what the
 * network may do), checking the delivery guarantee end to end:
 *
 * - the kiosk: the real outbox (device/outbox/sqlite-outbox.ts on a file, its disk) and the real delivery
 *   machine (device/link/delivery-machine.ts) wired as hub-link.ts wires them, with mqtt.js's behaviour
 *   modelled (outgoing store resent after every reconnect, reconnect backoff with jitter). A crash loses the
 *   machine and the client's memory; the outbox file stays. Sales are appended at random times, in the plan's
 *   order (a sale waits while the kiosk is down);
 * - the hub: the real apply logic on the real SQLite write port (sim-ledger.ts), batches of what arrived
 *   while it was busy, results published after the commit, `online` announced (retained) after every
 *   (re)subscription, last will `offline`. A crash loses the queue and the batch in flight; the ledger stays.
 *   With an embedded broker (half the seeds) the broker dies with it;
 * - another sender under the kiosk's device id (a cloned kiosk) now and then takes one of its seqs, which
 *   closes the epoch at the hub and makes the kiosk move its pending entries to a new one.
 *
 * After the faults stop, the run must drain, and then: every sale applied exactly once, in the kiosk's order
 * (append order overall, seq order within each epoch, every slot filled once), each outcome and every balance
 * equal to the same sales applied once in order on a fresh ledger (and the stored value to the plan's own
 * arithmetic), the journal audit clean, every outbox entry closed once on a recorded result, never more than
 * `window` sends unanswered.
 *
 * This file wires one run together and drives it; the parts live beside it: the seed's choices
 * (sim-config.ts), the sales (sale-plan.ts), the hub (sim-hub.ts), the kiosk (sim-kiosk.ts), the cloned
 * kiosk (other-sender.ts), the faults (sim-faults.ts) and the end check (check-outcome.ts).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkOutcome } from './check-outcome.ts';
import { createOtherSender } from './other-sender.ts';
import { createPrng } from './prng.ts';
import { planSales, type AppendedSale } from './sale-plan.ts';
import { Scheduler } from './scheduler.ts';
import { configFor, type SimConfig } from './sim-config.ts';
import { scheduleFaults } from './sim-faults.ts';
import { createSimHub } from './sim-hub.ts';
import { createSimKiosk } from './sim-kiosk.ts';
import { SIM_BASE_TIME, SimLedger } from './sim-ledger.ts';
import { createSimNames } from './sim-names.ts';
import { Broker } from './sim-network.ts';
import type { SimRun, SimStats } from './sim-run-context.ts';
import { scratch } from './sim-scratch.ts';

export { configFor, type SimConfig } from './sim-config.ts';
export type { SimStats } from './sim-run-context.ts';
export { removeScratch } from './sim-scratch.ts';

const BASE_TIME = SIM_BASE_TIME;

export interface SimOutcome {
  seed: number;
  ok: boolean;
  failures: string[];
  config: SimConfig;
  stats: SimStats;
  trace: string[];
}

export function runSimulation(seed: number, options: { trace?: boolean } = {}): SimOutcome {
  const config = configFor(seed);
  const root = createPrng(seed);
  const netRng = root.fork('network');
  const kioskRng = root.fork('kiosk');
  const hubRng = root.fork('hub');
  const saleRng = root.fork('sales');
  const otherRng = root.fork('other-sender');
  const tracing = options.trace === true;
  const lines: string[] = [];
  const sched = new Scheduler();
  const trace = (line: () => string) => {
    if (tracing) lines.push(`${String(sched.now).padStart(7)} ms  ${line()}`);
  };
  const failures: string[] = [];
  const fail = (message: string) => {
    if (failures.length < 20) failures.push(message);
    trace(() => `FAILURE ${message}`);
  };
  const stats: SimStats = { simulatedMs: 0, steps: 0, sends: 0, rewinds: {}, epochMoves: 0, drainMs: 0, closeLatencyMs: [], hubBatches: 0 };
  const appendedAt = new Map<string, number>();
  const names = createSimNames();

  const broker = new Broker(sched, netRng, {
    latency: () => netRng.int(config.latencyMs[0], config.latencyMs[1]),
    reorder: config.reorder,
    trace: (line) => trace(() => line),
  });
  const run: SimRun = { config, sched, broker, stats, names, iso: (t = sched.now) => new Date(BASE_TIME + t).toISOString(), trace, fail };

  // ---------------------------------------------------------------- the hub's disk and process
  const ledger = new SimLedger();
  const hub = createSimHub(run, ledger, hubRng);

  // ---------------------------------------------------------------- the kiosk's disk and process
  const outboxPath = join(scratch(), `kiosk-${seed}-${process.pid}.sqlite`);
  rmSync(outboxPath, { force: true });
  const kiosk = createSimKiosk(run, { rng: kioskRng, outboxPath, appendedAt });
  const appended: AppendedSale[] = [];

  // ---------------------------------------------------------------- sales
  // Appended at random times, in the plan's order (a sale waits while the kiosk is down).
  const plan = planSales(saleRng, config.sales);
  let nextSale = 0;
  let lastSaleAt = 0;
  function appendNext(): void {
    if (nextSale >= plan.sales.length) return;
    if (!kiosk.state.alive || !kiosk.state.outbox) {
      // Nobody sells on a dead kiosk: the customer waits.
      sched.after(saleRng.int(100, 1_000), appendNext);
      return;
    }
    const sale = plan.sales[nextSale]!;
    nextSale += 1;
    const tx = kiosk.state.outbox.append(sale.body);
    lastSaleAt = sched.now;
    names.set(tx.id, `T${nextSale}`);
    appendedAt.set(tx.id, sched.now);
    appended.push({ id: tx.id, payload: kiosk.state.outbox.get(tx.id)!.payload, createdAt: tx.createdAt, sale });
    trace(() => `kiosk: append T${nextSale} (${sale.body.kind}) at ${names.epochLabel(tx.epoch)}/${tx.seq}`);
    kiosk.dispatch({ type: 'appended' });
    const gap = saleRng.chance(0.3) ? 0 : saleRng.int(0, Math.ceil((2 * config.appendSpanMs) / Math.max(1, config.sales)));
    sched.after(gap, appendNext);
  }

  // ---------------------------------------------------------------- the other sender, the faults
  const otherSender = createOtherSender(run, { rng: otherRng, ledger, kioskEpoch: () => kiosk.state.epoch });
  const lastFaultEnd = scheduleFaults(run, { hub, kiosk, otherSender });

  // ---------------------------------------------------------------- run
  hub.start();
  kiosk.start();
  sched.after(saleRng.int(0, 1_000), appendNext);
  // After the last fault the kiosk may wait out a reconnect backoff (≤ 30 s) and a stall (≤ 5 s): 3 minutes is ample.
  const deadline = Math.max(lastFaultEnd, config.appendSpanMs * 3) + 180_000;
  const maxSteps = 2_000_000;
  let drainedAt: number | null = null;
  try {
    while (sched.step()) {
      if (sched.now > deadline || sched.steps > maxSteps) break;
      if (nextSale >= plan.sales.length && kiosk.state.alive && kiosk.state.outbox && kiosk.state.outbox.depth() === 0 && sched.now >= lastFaultEnd) {
        drainedAt = sched.now;
        break;
      }
    }
    // Nothing left to happen (no timer, no packet on the way): time passes freely to the end of the faults.
    if (drainedAt === null && sched.nextTime() === null && nextSale >= plan.sales.length && kiosk.state.alive && kiosk.state.outbox?.depth() === 0) drainedAt = sched.now;
  } catch (error) {
    fail(`threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  stats.simulatedMs = sched.now;
  stats.steps = sched.steps;
  stats.drainMs = drainedAt === null ? -1 : Math.max(0, drainedAt - Math.max(lastFaultEnd, lastSaleAt));

  // ---------------------------------------------------------------- checks
  try {
    if (drainedAt === null) {
      const depth = kiosk.state.outbox?.depth() ?? '?';
      fail(sched.steps > maxSteps ? `no end after ${maxSteps} steps (a spin?)` : `not drained ${Math.round((deadline - lastFaultEnd) / 1000)} s after the last fault: ${nextSale}/${plan.sales.length} sold, ${depth} pending`);
    } else {
      checkOutcome(run, { ledger, appended, outbox: kiosk.state.outbox, closedCount: kiosk.closedCount, storedValue: plan.storedValue, otherSenders: otherSender.count });
    }
  } finally {
    kiosk.state.outbox?.close();
    ledger.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(outboxPath + suffix, { force: true });
  }

  return { seed, ok: failures.length === 0, failures, config, stats, trace: lines };
}
