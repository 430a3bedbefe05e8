/**
 * `memberkiosk bench [figure...]`: the flag handling every command shares, in front of the benchmark runner
 * (scripts/bench/run.ts). Without it, `bench --help` was taken for a figure name, matched none, and wrote an
 * empty bench/results.json over the last real one.
 */
import { parseCommandArgs } from '../command-args.ts';
import { importFromSources } from './from-sources.ts';

const USAGE = `usage: memberkiosk bench [figure...]
  measures every figure beside a baseline taken in the same run, prints the table, writes bench/results.json
  figure   words picking figures by name (ledger-ingest, end-to-end, rules-eval, tap-latency, tap-to-screen, reconnect-storm,
           fleet-load, config-fan-out, console-reports, kiosk-footprint); all without
exit codes: 0 measured, 1 run from the compiled build (the benchmarks run from the sources), 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('bench', USAGE, { args, options: {}, allowPositionals: true });
  if (!flags.ok) return flags.exitCode;
  const runner = await importFromSources<{ run: (figures: string[]) => Promise<number> }>('../bench/run.ts', import.meta.url, 'bench');
  if (!runner) return 1;
  return runner.run(flags.parsed.positionals);
}
