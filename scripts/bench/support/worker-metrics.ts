/**
 * What the hub workers' own /metrics say about a fleet run (hub/metrics/hub-metrics.ts): batches committed, their
 * mean size and apply time, and the mean time from a transaction reaching a worker to its result being published.
 * Beside the kiosks' confirmation times this says where a sale waits: in the worker (apply), or before it reaches
 * one (broker, kiosk) — which the CPU seconds alone do not tell on a machine shared with other work.
 */

export interface WorkerIngest {
  batches: number;
  transactions: number;
  applySeconds: number;
  receiveToResultSeconds: number;
  receiveToResultCount: number;
}

/** The sum over every series (whatever its labels) of a metric in Prometheus text format. */
export function metricSum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line.trim());
    if (match && match[1] === name) total += Number(match[3]);
  }
  return total;
}

export function parseWorkerIngest(text: string): WorkerIngest {
  return {
    batches: metricSum(text, 'memberkiosk_ingest_batches_applied_total'),
    transactions: metricSum(text, 'memberkiosk_ingest_batch_size_sum'),
    applySeconds: metricSum(text, 'memberkiosk_ingest_batch_apply_seconds_sum'),
    receiveToResultSeconds: metricSum(text, 'memberkiosk_tx_receive_to_result_seconds_sum'),
    receiveToResultCount: metricSum(text, 'memberkiosk_tx_receive_to_result_seconds_count'),
  };
}

/** null when the worker did not answer within 15 s (its event loop busy or blocked): the notes say so. */
export async function readWorkerIngest(httpUrl: string): Promise<WorkerIngest | null> {
  try {
    const answer = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(15_000) });
    return answer.ok ? parseWorkerIngest(await answer.text()) : null;
  } catch {
    return null;
  }
}

/** The change between two readings, summed over workers, in words. */
export function describeIngest(before: (WorkerIngest | null)[], afterRead: (WorkerIngest | null)[]): string {
  const silent = afterRead.flatMap((w, i) => (w === null || before[i] === null ? [i + 1] : []));
  if (silent.length > 0) return `workers' /metrics: worker ${silent.join(', ')} did not answer within 15 s`;
  const after = afterRead as WorkerIngest[];
  const delta = (pick: (w: WorkerIngest) => number) => after.reduce((sum, w, i) => sum + pick(w) - pick(before[i]!), 0);
  const batches = delta((w) => w.batches);
  const transactions = delta((w) => w.transactions);
  const applyMs = (delta((w) => w.applySeconds) * 1_000) / Math.max(1, batches);
  const r2r = (delta((w) => w.receiveToResultSeconds) * 1_000) / Math.max(1, delta((w) => w.receiveToResultCount));
  const perWorker = after.map((w, i) => w.transactions - before[i]!.transactions).join('/');
  return `workers' /metrics: ${batches} batches, mean ${(transactions / Math.max(1, batches)).toFixed(1)} tx and ${applyMs.toFixed(0)} ms apply each, received → result published ${r2r.toFixed(0)} ms mean, tx per worker ${perWorker}`;
}
