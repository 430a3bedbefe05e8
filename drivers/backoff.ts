/**
 * Reconnection delays: exponential from `initialMs` to `maxMs`, with jitter so a store full of kiosks that lost
 * the same USB hub do not retry in lockstep.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: the fraction of each delay drawn at random. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0.2 };

export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.options;
    const base = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt += 1;
    return Math.round(base * (1 - jitter + Math.random() * jitter));
  }

  reset(): void {
    this.attempt = 0;
  }
}
