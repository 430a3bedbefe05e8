/**
 * The reconnect backoff the simulated MQTT clients wait out, as mqtt.js is configured in the kiosk and hub:
 * equal jitter (half fixed, half random) on a doubling delay, capped.
 */
import type { Prng } from './prng.ts';

export function equalJitter(rng: Prng, initialMs: number, maxMs: number, exponent: number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(exponent, 16));
  return Math.max(1, Math.round(ceiling / 2 + rng.next() * (ceiling / 2)));
}
