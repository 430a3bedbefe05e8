/**
 * The seeded delivery simulation (run-simulation.ts): thousands of seeds in `npm test`.
 *
 *   MK_SIM_SEEDS=100000 npx vitest run e2e/simulation   more seeds (from MK_SIM_FIRST_SEED, default 1)
 *   MK_SIM_SEED=1957 npx vitest run e2e/simulation      one seed, replayed exactly, with its trace
 *   MK_SIM_TRACE=all                                    the whole trace instead of its last 300 lines
 */
import { afterAll, describe, expect, it } from 'vitest';
import { removeScratch, runSimulation, type SimOutcome } from './run-simulation.ts';

const DEFAULT_SEEDS = 2000;
const env = process.env;
const replay = env.MK_SIM_SEED === undefined ? null : Number(env.MK_SIM_SEED);
const seeds = Number(env.MK_SIM_SEEDS ?? DEFAULT_SEEDS);
const firstSeed = Number(env.MK_SIM_FIRST_SEED ?? 1);

function report(outcome: SimOutcome, traceLines: number | 'all'): string {
  const trace = traceLines === 'all' ? outcome.trace : outcome.trace.slice(-traceLines);
  return [
    `seed ${outcome.seed}: ${outcome.ok ? 'ok' : 'FAILED'}`,
    `config ${JSON.stringify(outcome.config)}`,
    `stats ${JSON.stringify({ ...outcome.stats, closeLatencyMs: undefined })}`,
    ...(trace.length < outcome.trace.length ? [`… ${outcome.trace.length - trace.length} earlier lines (MK_SIM_TRACE=all shows them)`] : []),
    ...trace,
    ...outcome.failures.map((f) => `FAILURE: ${f}`),
  ].join('\n');
}

describe('delivery simulation: kiosk outbox + delivery machine ⇄ simulated MQTT ⇄ hub apply logic + SQLite ledger', () => {
  afterAll(() => removeScratch());

  if (replay !== null) {
    it(`replays seed ${replay}`, () => {
      const outcome = runSimulation(replay, { trace: true });
      console.log(report(outcome, env.MK_SIM_TRACE === 'all' ? 'all' : 300));
      expect(outcome.failures).toEqual([]);
    }, 600_000);
    return;
  }

  it('replays a seed exactly: the same trace twice', () => {
    for (const seed of [1957, 2110]) {
      const first = runSimulation(seed, { trace: true });
      const second = runSimulation(seed, { trace: true });
      expect(second.trace).toEqual(first.trace);
      expect(first.trace.length).toBeGreaterThan(50);
    }
  });

  it(`delivers every sale exactly once, in order, for ${seeds} seeds`, () => {
    const started = Date.now();
    const failed: SimOutcome[] = [];
    let sales = 0;
    let sends = 0;
    let moves = 0;
    for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
      const outcome = runSimulation(seed);
      sales += outcome.config.sales;
      sends += outcome.stats.sends;
      moves += outcome.stats.epochMoves;
      if (!outcome.ok) failed.push(outcome);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      [
        `delivery simulation: ${seeds} seeds (${firstSeed}..${firstSeed + seeds - 1}) in ${seconds} s: ${sales} sales, ${sends} sends (${(sends / Math.max(1, sales)).toFixed(2)} per sale), ${moves} epoch moves; ${failed.length} failed`,
        ...failed.slice(0, 5).map((o) => `  seed ${o.seed} FAILED (replay: MK_SIM_SEED=${o.seed} npx vitest run e2e/simulation): ${o.failures.slice(0, 3).join(' | ')}`),
      ].join('\n'),
    );
    expect(failed.map((o) => o.seed)).toEqual([]);
  }, 900_000);
});
