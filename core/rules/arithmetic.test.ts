import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mulDivFloor } from '../money/integers.ts';
import { allocateProRata } from './allocate.ts';
import { decimalToScaled, mulDiv, roundMicro, scaledToDecimal } from './decimal.ts';

describe('engine arithmetic', () => {
  it('mulDiv equals the BigInt mulDivFloor for every input, fast path or not', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 1e8 }), fc.integer({ min: 1, max: 1e7 }), (a, n, d) => {
        expect(mulDiv(a, n, d)).toBe(mulDivFloor(a, n, d));
      }),
      { numRuns: 2000 },
    );
    expect(mulDiv(2 ** 52, 3, 7)).toBe(mulDivFloor(2 ** 52, 3, 7));
  });

  it('decimal strings become exact scaled integers and back', () => {
    expect(decimalToScaled('1.5')).toBe(15_000);
    expect(decimalToScaled('0.0005')).toBe(5);
    expect(decimalToScaled('2')).toBe(20_000);
    expect(scaledToDecimal(12_000)).toBe('1.2');
    expect(scaledToDecimal(5)).toBe('0.0005');
  });

  it('rounds micro-points to whole points three ways', () => {
    expect([roundMicro(15_750_000, 'floor'), roundMicro(15_750_000, 'half_up'), roundMicro(15_750_000, 'ceil')]).toEqual([15, 16, 16]);
    expect([roundMicro(15_000_000, 'ceil'), roundMicro(15_499_999, 'half_up'), roundMicro(15_500_000, 'half_up')]).toEqual([15, 15, 16]);
  });

  it('allocateProRata always adds up exactly and never gives a zero weight anything', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.array(fc.integer({ min: 0, max: 1e7 }), { minLength: 1, maxLength: 12 }), (total, weights) => {
        const parts = allocateProRata(total, weights);
        const weightSum = weights.reduce((s, w) => s + w, 0);
        expect(parts.reduce((s, p) => s + p, 0)).toBe(weightSum === 0 ? 0 : total);
        parts.forEach((p, i) => {
          if (weights[i] === 0) expect(p).toBe(0);
          expect(p).toBeGreaterThanOrEqual(0);
        });
      }),
    );
    expect(allocateProRata(10, [1, 1, 1])).toEqual([4, 3, 3]);
  });
});
