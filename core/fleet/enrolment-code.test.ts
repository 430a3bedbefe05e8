import { describe, expect, it } from 'vitest';
import { encodeEnrolmentSecret, formatEnrolmentCode, parseEnrolmentCode } from './enrolment-code.ts';

const HASH = 'ab'.repeat(32);

describe('enrolment code', () => {
  it('round-trips, with 26 base32 characters for 128 bits', () => {
    const secret = encodeEnrolmentSecret(new Uint8Array(16).fill(255));
    expect(secret).toMatch(/^[0-9A-Z]{26}$/);
    const text = formatEnrolmentCode({ secret, caSha256: HASH });
    expect(text).toBe(`MK1-${secret}-${HASH}`);
    expect(parseEnrolmentCode(` ${text.toLowerCase()} `)).toEqual({ secret, caSha256: HASH });
  });

  it('gives different secrets for different bytes and refuses what is not a code', () => {
    expect(encodeEnrolmentSecret(new Uint8Array(16))).not.toBe(encodeEnrolmentSecret(new Uint8Array(16).fill(1)));
    expect(parseEnrolmentCode('MK1-short-' + HASH)).toBeNull();
    expect(parseEnrolmentCode(`MK1-${'0'.repeat(26)}-${'ab'.repeat(31)}`)).toBeNull();
    expect(parseEnrolmentCode(`MK2-${'0'.repeat(26)}-${HASH}`)).toBeNull();
    expect(() => encodeEnrolmentSecret(new Uint8Array(8))).toThrow();
  });
});
