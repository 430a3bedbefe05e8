import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH, formatRedemptionCode, newRedemptionCode, readRedemptionCode, redemptionCodeDigest } from './redemption-code.ts';

/** Deterministic "random" bytes: SHA-256 of a counter (a fixed seed, so the test never changes). */
function seededBytes(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, n);
}

describe('redemption codes', () => {
  const random = seededBytes('codes');
  const codes = Array.from({ length: 200 }, () => newRedemptionCode(random));

  it('are 17 Crockford symbols that read back as themselves, printed in groups', () => {
    for (const code of codes) {
      expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`));
      expect(readRedemptionCode(code)).toEqual({ ok: true, code });
      expect(readRedemptionCode(formatRedemptionCode(code))).toEqual({ ok: true, code });
    }
    expect(formatRedemptionCode(codes[0]!)).toMatch(/^\w{4}-\w{4}-\w{4}-\w{4}-\w$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('read lower case, spaces, and O / I / L as 0 / 1', () => {
    const code = codes.find((c) => c.includes('0') || c.includes('1'))!;
    const typed = code.replace(/0/g, 'o').replace(/1/g, 'l').toLowerCase().replace(/(.{4})/g, '$1 ');
    expect(readRedemptionCode(typed)).toEqual({ ok: true, code });
  });

  it('catch every single-symbol substitution, at every position, check symbol included', () => {
    let tried = 0;
    for (const code of codes.slice(0, 50)) {
      for (let i = 0; i < code.length; i++) {
        for (const ch of CODE_ALPHABET) {
          if (ch === code[i]) continue;
          const typo = code.slice(0, i) + ch + code.slice(i + 1);
          expect(readRedemptionCode(typo)).toEqual({ ok: false, reason: 'check_digit' });
          tried++;
        }
      }
    }
    expect(tried).toBe(50 * 17 * 31);
  });

  it('catch every swap of two different adjacent symbols', () => {
    let tried = 0;
    for (const code of codes) {
      for (let i = 0; i + 1 < code.length; i++) {
        if (code[i] === code[i + 1]) continue;
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
        expect(readRedemptionCode(swapped)).toEqual({ ok: false, reason: 'check_digit' });
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(3000);
  });

  it('refuse a wrong length or a symbol outside the alphabet as malformed', () => {
    expect(readRedemptionCode(codes[0]!.slice(1))).toEqual({ ok: false, reason: 'malformed' });
    expect(readRedemptionCode(`${codes[0]!.slice(1)}U`)).toEqual({ ok: false, reason: 'malformed' });
    expect(readRedemptionCode('')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('travel as the SHA-256 of the canonical text, whatever way it was typed', () => {
    const code = codes[0]!;
    const typed = readRedemptionCode(formatRedemptionCode(code).toLowerCase());
    expect(typed.ok && redemptionCodeDigest(typed.code)).toBe(redemptionCodeDigest(code));
    expect(redemptionCodeDigest(code)).toMatch(/^[0-9a-f]{64}$/);
  });
});
