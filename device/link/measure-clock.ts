/**
 * Asks the hub to measure this kiosk's clock. The hub answers with its own clock and the offset it saw
 * (hub receive time − kiosk send time, which includes the one-way delay); the kiosk refines it with the round
 * trip, as NTP does: offset = hubTime − (sent + received) / 2, wrong by at most half the round trip.
 */
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';

export interface ClockMeasurement {
  /** hub − kiosk, to stamp on transactions. */
  offsetMs: number;
  rttMs: number;
  /** What the hub itself recorded (hub receive − kiosk send). */
  hubOffsetMs: number;
  measuredAt: string;
}

export type Lookup = (req: LookupRequest, timeoutMs: number) => Promise<LookupResponse | null>;

export async function measureClock(lookup: Lookup, now: () => number, timeoutMs = 3000): Promise<ClockMeasurement | null> {
  const sent = now();
  const response = await lookup({ op: 'clock.sync', kioskTime: sent }, timeoutMs);
  const received = now();
  if (!response || !response.ok || !('clock' in response)) return null;
  const { hubTime, offsetMs } = response.clock;
  return {
    offsetMs: Math.round(hubTime - (sent + received) / 2),
    rttMs: received - sent,
    hubOffsetMs: offsetMs,
    measuredAt: new Date(received).toISOString(),
  };
}
