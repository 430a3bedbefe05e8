import { describe, expect, it } from 'vitest';
import { drawPoints, spendableLots, takeBackPoints } from './point-lots.ts';
import { AT, expectCoded, lot } from './test-support/builders.ts';

// AT = 2025-03-01T02:00Z. Lots, deliberately out of order:
const C = lot('C', 100, null); //                                       never expires → last
const D = lot('D', 40, '2025-02-01T00:00:00.000Z'); //                   expired before AT → never drawn
const A = lot('A', 30, '2025-06-01T00:00:00.000Z'); //                   third
const B = lot('B', 50, '2025-04-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z'); // same expiry as F, earned later → second
const E = lot('E', 0, '2025-03-15T00:00:00.000Z'); //                    empty → skipped
const F = lot('F', 20, '2025-04-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'); // soonest expiry, earned first → first
const LOTS = [C, D, A, B, E, F];

describe('drawPoints', () => {
  it('takes soonest-expiring first, skips expired and empty lots, never-expiring last, naming each lot', () => {
    // 120 = F 20 + B 50 + A 30 + C 20 (D expired, E empty)
    const { postings, drawn } = drawPoints(LOTS, 120, AT);
    expect(drawn).toEqual([
      { lotId: 'F', points: 20 },
      { lotId: 'B', points: 50 },
      { lotId: 'A', points: 30 },
      { lotId: 'C', points: 20 },
    ]);
    expect(postings).toEqual([
      { account: 'points', amount: -20, lotId: 'F' },
      { account: 'points', amount: -50, lotId: 'B' },
      { account: 'points', amount: -30, lotId: 'A' },
      { account: 'points', amount: -20, lotId: 'C' },
    ]);
  });

  it('gives the same draw whatever order the lots come in, and does not change them', () => {
    const reversed = [...LOTS].reverse();
    const copy = structuredClone(reversed);
    expect(drawPoints(reversed, 120, AT).drawn).toEqual(drawPoints(LOTS, 120, AT).drawn);
    expect(reversed).toEqual(copy);
  });

  it('stops at the first lot that covers the rest', () => {
    // 15 ≤ F's 20: one posting only
    expect(drawPoints(LOTS, 15, AT).drawn).toEqual([{ lotId: 'F', points: 15 }]);
  });

  it('treats a lot expiring exactly at the transaction time as expired', () => {
    const edge = lot('EDGE', 10, AT);
    expectCoded(() => drawPoints([edge], 1, AT), 'INSUFFICIENT_POINTS', { needed: 1, available: 0 });
  });

  it('refuses more than the spendable points with INSUFFICIENT_POINTS and the figures', () => {
    // spendable: F 20 + B 50 + A 30 + C 100 = 200 (D's 40 expired)
    expectCoded(() => drawPoints(LOTS, 201, AT), 'INSUFFICIENT_POINTS', { needed: 201, available: 200 });
    expect(drawPoints(LOTS, 200, AT).drawn.reduce((s, d) => s + d.points, 0)).toBe(200);
  });

  it('spendableLots lists only usable lots in spending order', () => {
    expect(spendableLots(LOTS, AT).map((l) => l.lotId)).toEqual(['F', 'B', 'A', 'C']);
  });
});

describe('takeBackPoints', () => {
  it('takes from the named lot first, then soonest-expiring others (even expired, unswept ones)', () => {
    // 70 = A 30 (named) + D 40 (expired 2025-02-01 is the soonest expiry of the rest)
    expect(takeBackPoints(LOTS, 70, 'A')).toEqual({
      postings: [
        { account: 'points', amount: -30, lotId: 'A' },
        { account: 'points', amount: -40, lotId: 'D' },
      ],
      owed: 0,
    });
  });

  it('takes only part of the named lot when it covers the amount', () => {
    expect(takeBackPoints(LOTS, 25, 'C')).toEqual({ postings: [{ account: 'points', amount: -25, lotId: 'C' }], owed: 0 });
  });

  it('reports what it cannot take as owed', () => {
    // all there is: A 30 + D 40 + F 20 + B 50 + C 100 = 240 (E empty); 500 − 240 = 260 owed
    const { postings, owed } = takeBackPoints(LOTS, 500, 'A');
    expect(owed).toBe(260);
    expect(postings.reduce((s, p) => s + p.amount, 0)).toBe(-240);
    expect(postings[0]).toEqual({ account: 'points', amount: -30, lotId: 'A' });
    expect(postings.at(-1)).toEqual({ account: 'points', amount: -100, lotId: 'C' });
    expect(postings.some((p) => p.lotId === 'E')).toBe(false);
  });

  it('with no preferred lot (or one that is gone) starts from the soonest expiry', () => {
    expect(takeBackPoints(LOTS, 10, null).postings).toEqual([{ account: 'points', amount: -10, lotId: 'D' }]);
    expect(takeBackPoints(LOTS, 10, 'GONE').postings).toEqual([{ account: 'points', amount: -10, lotId: 'D' }]);
  });

  it('never takes from a lot that is already negative', () => {
    const negative = lot('N', -5, null);
    expect(takeBackPoints([negative], 3, 'N')).toEqual({ postings: [], owed: 3 });
  });
});
