/**
 * How long the hub waits before its next attempt to reach its broker: doubling from `initialMs` to `maxMs`,
 * with "equal jitter" (half the ceiling for sure, the other half at random), as the kiosks do
 * (device/link/reconnect-backoff.ts; hub code may not import device/). A hub that starts before its broker,
 * or outlives it for an hour, neither gives up nor knocks a thousand times a minute.
 */
export interface BrokerRetryBackoff {
  initialMs: number;
  maxMs: number;
}

export const BROKER_RETRY_BACKOFF: BrokerRetryBackoff = Object.freeze({ initialMs: 500, maxMs: 30_000 });

/** The wait after `failures` failed attempts in a row (1 after the first). */
export function brokerRetryDelayMs(failures: number, backoff: BrokerRetryBackoff = BROKER_RETRY_BACKOFF, random: () => number = Math.random): number {
  // The exponent is capped so 2 ** n stays a small exact number however long the broker stays away.
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 16));
  return Math.max(1, Math.round(ceiling / 2 + random() * (ceiling / 2)));
}
