/**
 * ULIDs: 48-bit millisecond time + 80 bits of randomness, Crockford base32, lexically sortable. Transaction ids
 * are made where the transaction starts (on the kiosk), so they must be unique without asking anyone, and
 * monotonic within one process so two made in the same millisecond still sort in creation order.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export type RandomBytes = (size: number) => Uint8Array;

export function createUlidFactory(now: () => number, randomBytes: RandomBytes): () => string {
  let lastTime = -1;
  let lastRandom: number[] = [];
  return () => {
    const time = now();
    if (time <= lastTime) {
      lastRandom = incrementBase32(lastRandom);
    } else {
      lastTime = time;
      lastRandom = Array.from(randomBytes(16), (b) => b % 32);
    }
    return encodeTime(lastTime) + lastRandom.map((d) => ALPHABET[d]).join('');
  };
}

function encodeTime(time: number): string {
  let remaining = time;
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[remaining % 32] + out;
    remaining = Math.floor(remaining / 32);
  }
  return out;
}

function incrementBase32(digits: number[]): number[] {
  const next = digits.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]! += 1;
      return next;
    }
    next[i] = 0;
  }
  throw new Error('ULID random part overflowed within one millisecond');
}
