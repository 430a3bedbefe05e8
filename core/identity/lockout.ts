/**
 * Repeated wrong PINs or passwords lock the account for a while: a 4–6 digit PIN falls to guessing otherwise.
 * Pure: the store keeps the count and the time, this decides.
 */
export const MAX_FAILED_ATTEMPTS = 5;
export const LOCKOUT_MS = 15 * 60_000;

export interface LockoutState {
  failedAttempts: number;
  lockedUntil: string | null;
}

export function isLocked(state: LockoutState, nowMs: number): boolean {
  return state.lockedUntil !== null && Date.parse(state.lockedUntil) > nowMs;
}

/** The state after one more wrong attempt: locked once the count reaches the limit (the count starts again after). */
export function afterFailure(state: LockoutState, nowMs: number): LockoutState & { justLocked: boolean; attemptsLeft: number } {
  const failed = (isLocked(state, nowMs) ? state.failedAttempts : state.lockedUntil !== null ? 0 : state.failedAttempts) + 1;
  if (failed >= MAX_FAILED_ATTEMPTS) return { failedAttempts: 0, lockedUntil: new Date(nowMs + LOCKOUT_MS).toISOString(), justLocked: true, attemptsLeft: 0 };
  return { failedAttempts: failed, lockedUntil: null, justLocked: false, attemptsLeft: MAX_FAILED_ATTEMPTS - failed };
}

export const AFTER_SUCCESS: LockoutState = { failedAttempts: 0, lockedUntil: null };
