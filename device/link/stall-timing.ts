/**
 * When the delivery machine resends because nothing was answered (a stall), and when it next wants a `tick`.
 * Pure arithmetic on the machine's state, kept apart so the timing can be read without the protocol around it;
 * the machine decides what a stall does (delivery-machine.ts, onTick).
 */

/**
 * Stalls in a row (nothing answered at all) wait longer each time: stallResendMs, then twice, then four times that.
 * A hub that is only slow — its queue longer than the stall time, under a fleet's load — would otherwise get every
 * kiosk's whole window again every stallResendMs and spend itself applying duplicates (answered `exists`): the
 * resends would make the overload they react to worse.
 */
export const MAX_STALL_DOUBLINGS = 2;

/** How long the machine waits for an answer before the next stall, after `stallsInARow` stalls since the last answer. */
export function stallWaitMs(stallResendMs: number, stallsInARow: number): number {
  return stallResendMs * 2 ** Math.min(stallsInARow, MAX_STALL_DOUBLINGS);
}

export interface DeadlineInputs {
  connected: boolean;
  /** Sends of the current round waiting for their result. */
  inFlight: number;
  /** When a paused rewind is due, or null. */
  rewindAt: number | null;
  /** The last send after idleness, answer or stall check the stall wait counts from. */
  lastProgressAt: number;
  /** The stall wait now (stallWaitMs). */
  stallWaitMs: number;
}

/**
 * The earliest moment something is due: a paused rewind, or the stall check. The stall check is due while
 * connected with sends in flight, or with no rewind planned (pending entries nothing is under way for must not
 * wait for ever); null when nothing is due.
 */
export function nextDeadline(at: DeadlineInputs): number | null {
  const stallAt = at.connected && (at.inFlight > 0 || at.rewindAt === null) ? at.lastProgressAt + at.stallWaitMs : null;
  if (at.rewindAt === null) return stallAt;
  return stallAt === null ? at.rewindAt : Math.min(at.rewindAt, stallAt);
}
