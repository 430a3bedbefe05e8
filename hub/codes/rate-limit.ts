/**
 * At most `limit` attempts per key in any `windowMs`: the anti-counterfeit check (code.verify, GET
 * /api/codes/verify) answers a few a minute per kiosk or staff member, so it can never be used to search for codes.
 * (80 random bits make a search hopeless anyway; the limit keeps the check from being an oracle at any speed.)
 */
export interface RateLimiter {
  /** Counts an attempt for `key`; false when the key is over its limit (the attempt is not counted). */
  take(key: string): boolean;
}

export function createRateLimiter(options: { limit: number; windowMs: number; now?: () => number }): RateLimiter {
  const now = options.now ?? Date.now;
  const attempts = new Map<string, number[]>();
  return {
    take(key) {
      const at = now();
      const recent = (attempts.get(key) ?? []).filter((t) => t > at - options.windowMs);
      if (recent.length >= options.limit) {
        attempts.set(key, recent);
        return false;
      }
      recent.push(at);
      attempts.set(key, recent);
      // Keys whose attempts all aged out are dropped, so the map holds only who checked in the last window.
      if (attempts.size > 1000) for (const [k, times] of attempts) if (times.every((t) => t <= at - options.windowMs)) attempts.delete(k);
      return true;
    },
  };
}

/** The kiosk look-up's limit: 10 code checks a minute per kiosk. */
export const KIOSK_CODE_CHECKS = { limit: 10, windowMs: 60_000 } as const;
/** The hub API's limit: 60 code checks a minute per staff member. */
export const STAFF_CODE_CHECKS = { limit: 60, windowMs: 60_000 } as const;
