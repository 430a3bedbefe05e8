/**
 * `npm run bench`: every figure beside its baseline measured in the same run, printed as a table and written
 * into bench/results.json, merged by name (scripts/bench/merge-results.ts) so rows of figures not measured in this
 * run, and the soak's rows, are kept. Figures are measured one after another so they do not compete for the 2 cores.
 * `memberkiosk bench NAME...` runs only the figure modules whose names contain one of the words.
 */
import type { BenchFigure, BenchMeasure } from './figure.ts';
import { mergeFiguresIntoFile, RESULTS_PATH } from './merge-results.ts';

const FIGURE_MODULES: Record<string, () => Promise<{ measure: BenchMeasure }>> = {
  'ledger-ingest': () => import('./figures/ledger-ingest.ts'),
  'postgres-ingest': () => import('./figures/postgres-ingest.ts'),
  'end-to-end': () => import('./figures/end-to-end.ts'),
  'rules-eval': () => import('./figures/rules-eval.ts'),
  'tap-latency': () => import('./figures/tap-latency.ts'),
  'tap-to-screen': () => import('./figures/tap-to-screen.ts'),
  'reconnect-storm': () => import('./figures/reconnect-storm.ts'),
  'fleet-load': () => import('./figures/fleet-load.ts'),
  'fleet-throughput': () => import('./figures/fleet-throughput.ts'),
  'fleet-5000': () => import('./figures/fleet-5000.ts'),
  'config-fan-out': () => import('./figures/config-fan-out.ts'),
  'console-reports': () => import('./figures/console-reports.ts'),
  'kiosk-footprint': () => import('./figures/kiosk-footprint.ts'),
};

function table(figures: BenchFigure[]): string {
  const header = ['figure', 'value', 'baseline', 'ratio', 'target', 'met'];
  const rows = figures.map((f) => [
    f.name,
    `${round(f.value)} ${f.unit}`,
    `${round(f.baseline)} ${f.unit}`,
    round(f.ratio).toString(),
    f.target,
    f.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100;
}

export async function run(args: string[]): Promise<number> {
  const selected = Object.entries(FIGURE_MODULES).filter(([name]) => args.length === 0 || args.some((a) => name.includes(a)));
  const figures: BenchFigure[] = [];
  for (const [name, load] of selected) {
    process.stderr.write(`bench: measuring ${name}...\n`);
    const module = await load();
    figures.push(...(await module.measure()));
  }
  process.stdout.write(`${table(figures)}\n`);
  mergeFiguresIntoFile(figures, RESULTS_PATH);
  process.stdout.write(`merged ${figures.length} rows into ${RESULTS_PATH} (by name; other rows kept)\n`);
  return 0;
}
