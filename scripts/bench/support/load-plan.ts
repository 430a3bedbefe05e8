/**
 * What the fleet benchmarks' parent and its load-generator processes say to each other (IPC messages), and when
 * each simulated kiosk sells in the paced plan.
 */

export interface KioskLogin {
  deviceId: string;
  username: string;
  password: string;
  storeId: string;
}

/**
 * `paced`: every kiosk sells once every `periodMs`, at its own phase (spread evenly over the period, so a fleet's
 * sales are not in lockstep) moved by up to ±jitterMs/2 each time, for `seconds`. `closed`: every kiosk keeps
 * `outstanding` sales waiting for their results, for `seconds` (the most the chain can take).
 */
export type LoadPlan = { window: number; seconds: number; drainWaitMs: number } & (
  | {
      kind: 'paced';
      periodMs: number;
      jitterMs: number;
      /**
       * The same paced load for this long before the timed `seconds`, untimed: a chain's workers have served
       * traffic before any given minute of it, and a worker's first seconds (its code not yet compiled hot) are a
       * start-up, reported apart (GeneratorDone.warmupSamples).
       */
      warmupSeconds?: number;
    }
  | { kind: 'closed'; outstanding: number }
);

export interface GeneratorSetup {
  type: 'setup';
  url: string;
  caPem: string;
  kiosks: KioskLogin[];
  cards: string[];
  window: number;
  /** Kiosks connecting at once. */
  connectGroup: number;
}

export type GeneratorRequest = GeneratorSetup | { type: 'go'; plan: LoadPlan; startAt: number } | { type: 'stop' };

export interface GeneratorDone {
  type: 'done';
  /** Confirmation times (ms): outbox write → the result that closed the entry, of the sales made in the timed part. */
  samples: number[];
  /** The same, of the sales made during the warm-up (empty without one). */
  warmupSamples: number[];
  /** Results that closed an entry between the start and the end of the load. */
  confirmedInWindow: number;
  sold: number;
  applied: number;
  /** Closing refusals by code. */
  refusals: Record<string, number>;
  /** The largest outbox depth any kiosk of this process had. */
  maxDepth: number;
  /** Kiosks whose depth ever passed the in-flight window. */
  overWindow: number;
  /** Entries still pending when the process gave up waiting. */
  stillPending: number;
  /** From the end of the load until every outbox of this process was empty. */
  drainMs: number;
  /** Kiosks whose link was up (connected, hub online) when the load started, and when it ended. */
  upAtStart: number;
  upAtEnd: number;
}

export type GeneratorAnswer = { type: 'connected'; count: number; ms: number } | GeneratorDone | { type: 'failed'; message: string };

/** A deterministic jitter source, so two runs of a plan sell at the same moments. */
function jitterSource(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/**
 * Every sale of a paced plan for `kiosks` kiosks, in time order: `seconds * 1000 / periodMs` sales per kiosk, kiosk
 * k's n-th at startAt + (k / kiosks + n) * periodMs + jitter, never before startAt nor after the end.
 */
export function schedulePaced(kiosks: number, plan: { seconds: number; periodMs: number; jitterMs: number }, startAt: number, seed = 1): { at: number; kiosk: number }[] {
  const random = jitterSource(seed);
  const perKiosk = Math.floor((plan.seconds * 1_000) / plan.periodMs);
  const endAt = startAt + plan.seconds * 1_000;
  const sales: { at: number; kiosk: number }[] = [];
  for (let k = 0; k < kiosks; k += 1) {
    for (let n = 0; n < perKiosk; n += 1) {
      const at = startAt + (k / kiosks + n) * plan.periodMs + (random() - 0.5) * plan.jitterMs;
      sales.push({ at: Math.min(endAt, Math.max(startAt, at)), kiosk: k });
    }
  }
  return sales.sort((a, b) => a.at - b.at);
}
