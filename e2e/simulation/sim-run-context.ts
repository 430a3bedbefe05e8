/**
 * What every part of one simulated run shares: its config, its clock, its broker, where it counts and traces
 * what happens and records what went wrong. The hub, the kiosk, the faults and the end check each take it
 * instead of reaching into one another.
 */
import type { Broker } from './sim-network.ts';
import type { Scheduler } from './scheduler.ts';
import type { SimConfig } from './sim-config.ts';
import type { SimNames } from './sim-names.ts';

export interface SimStats {
  simulatedMs: number;
  steps: number;
  /** Transaction publishes by the kiosk's machine (first sends and resends). */
  sends: number;
  rewinds: Record<string, number>;
  epochMoves: number;
  /** From the end of the last fault (or the last sale) to the outbox drained (0 when it was drained by then). */
  drainMs: number;
  /** Append to close, per sale: what a customer waiting for a confirmation sees. */
  closeLatencyMs: number[];
  hubBatches: number;
}

export interface SimRun {
  readonly config: SimConfig;
  readonly sched: Scheduler;
  readonly broker: Broker;
  readonly stats: SimStats;
  readonly names: SimNames;
  /** A simulated time (default: now) as the wall-clock ISO timestamp the processes see. */
  iso: (t?: number) => string;
  /** Adds a line to the trace; `line` is called only when the run is traced. */
  trace: (line: () => string) => void;
  fail: (message: string) => void;
}
