/** One line of `npm run bench`: a measured figure beside its baseline measured in the same run. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** The same work done by the plain library/raw path in the same run. */
  baseline: number;
  /** value / baseline for throughput, baseline / value for latency-like figures where lower is better: always "higher is better". */
  ratio: number;
  /** Human-readable target, e.g. "ratio >= 0.5 and >= 4000 tx/s". */
  target: string;
  /** Whether this run met the target. */
  met: boolean;
  notes?: string;
}

export type BenchMeasure = () => Promise<BenchFigure[]>;
