/**
 * Redemption codes (兑换码 / 防伪码): what HQ prints on a product's label, a member types on a kiosk to earn the
 * label's points once, and anyone may check as genuine without using it.
 *
 * A code is 16 symbols of Crockford base32 drawn from 80 random bits (10 bytes: exactly 16 × 5 bits, so every
 * symbol is uniform) and one check symbol, printed in groups: `7K3M-Q9XH-2C4P-WD8N-F`.
 *
 * Check symbol: the Damm algorithm over GF(32). With the field GF(2⁵) (x⁵ + x² + 1) the operation
 * x ∘ y = 2·x ⊕ y is a totally anti-symmetric quasigroup ((c∘x)∘y = (c∘y)∘x only when x = y, since 2 ≠ 1), so
 * folding a code through it catches every single-symbol substitution and every swap of two adjacent symbols,
 * the check symbol included (core/codes/redemption-code.test.ts tries all of them). The check symbol is the c
 * that brings the fold to 0: c = 2·interim.
 *
 * Reading is forgiving the way Crockford's alphabet means it to be: case does not matter, hyphens and spaces
 * are ignored, O reads as 0 and I or L as 1; U is not a symbol.
 *
 * The kiosk checks the check symbol before anything is queued, then sends only the code's SHA-256
 * (`codeDigest`); the hub stores HMAC-SHA256(hub key, digest). The code itself is kept nowhere but on the label.
 */
import { createHash } from 'node:crypto';

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Random symbols in a code (80 bits). */
export const CODE_RANDOM_SYMBOLS = 16;
/** Symbols in a code with its check symbol. */
export const CODE_LENGTH = CODE_RANDOM_SYMBOLS + 1;
/** SHA-256 of a code's canonical text, lowercase hex: what a transaction and a look-up carry. */
export const CODE_DIGEST_PATTERN = /^[0-9a-f]{64}$/;

const VALUE_OF = new Map<string, number>([...CODE_ALPHABET].map((ch, i) => [ch, i]));
for (const [alias, ch] of [['O', '0'], ['I', '1'], ['L', '1']] as const) VALUE_OF.set(alias, VALUE_OF.get(ch)!);

/** 2·x in GF(32) modulo x⁵ + x² + 1 (0b100101). */
function times2(x: number): number {
  const shifted = x << 1;
  return shifted & 0b100000 ? shifted ^ 0b100101 : shifted;
}

/** The Damm fold of symbol values: 0 for a code whose check symbol is right. */
export function dammFold(values: readonly number[]): number {
  let interim = 0;
  for (const value of values) interim = times2(interim) ^ value;
  return interim;
}

/** The check symbol's value for these symbol values. */
export function checkValue(values: readonly number[]): number {
  return times2(dammFold(values));
}

/** A new code (canonical: 17 symbols, no hyphens) from 10 random bytes. */
export function newRedemptionCode(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(10);
  if (bytes.length !== 10) throw new Error('a redemption code needs 10 random bytes');
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  const values: number[] = [];
  for (let i = CODE_RANDOM_SYMBOLS - 1; i >= 0; i--) values.push(Number((bits >> BigInt(i * 5)) & 31n));
  values.push(checkValue(values));
  return values.map((v) => CODE_ALPHABET[v]).join('');
}

/** The printed form: groups of four, the check symbol alone at the end (7K3M-Q9XH-2C4P-WD8N-F). */
export function formatRedemptionCode(canonical: string): string {
  return canonical.match(/.{1,4}/g)!.join('-');
}

export type CodeReading = { ok: true; code: string } | { ok: false; reason: 'malformed' | 'check_digit' };

/** Reads what someone typed: the canonical code, or why it is not one (wrong length or symbols; a typo the check symbol caught). */
export function readRedemptionCode(input: string): CodeReading {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  if (compact.length !== CODE_LENGTH) return { ok: false, reason: 'malformed' };
  const values: number[] = [];
  for (const ch of compact) {
    const value = VALUE_OF.get(ch);
    if (value === undefined) return { ok: false, reason: 'malformed' };
    values.push(value);
  }
  if (dammFold(values) !== 0) return { ok: false, reason: 'check_digit' };
  return { ok: true, code: values.map((v) => CODE_ALPHABET[v]).join('') };
}

/** SHA-256 of the canonical code, hex: the only form of a code that leaves the place it was typed. */
export function redemptionCodeDigest(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
