/**
 * How long to wait before the n-th rewind in a row that closed nothing: the first is immediate (an ordering
 * gap after a lost message is normal and must heal at once), then 100 ms doubling to 30 s. A refusal that
 * keeps coming back (a hub that cannot take an entry) costs a resend every 30 s, not hundreds a second.
 */
export const REWIND_FIRST_PAUSE_MS = 100;
export const REWIND_MAX_PAUSE_MS = 30_000;

export function rewindDelayMs(fruitlessRewinds: number): number {
  if (fruitlessRewinds <= 0) return 0;
  return Math.min(REWIND_MAX_PAUSE_MS, REWIND_FIRST_PAUSE_MS * 2 ** Math.min(20, fruitlessRewinds - 1));
}
