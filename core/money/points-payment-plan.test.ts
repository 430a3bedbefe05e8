import { describe, expect, it } from 'vitest';
import { formatPoints, formatSignedYuan, formatYuan } from './format-yuan.ts';
import { pointsPaymentPlan } from './points-payment-plan.ts';

describe('points payment plan', () => {
  const terms = { pointsPerYuan: 100, maxShareBasisPoints: 5_000, minPoints: 100 };

  it('pays at most the share of the bill and at most the balance, in whole points and cents', () => {
    expect(pointsPaymentPlan(1_000, 100_000, terms)).toEqual({ points: 500, cents: 500 });
    expect(pointsPaymentPlan(1_000, 250, terms)).toEqual({ points: 250, cents: 250 });
    // 3 points per yuan: one cent is 0.03 points, so only multiples of 100 cents (3 points) are whole.
    expect(pointsPaymentPlan(1_000, 100, { pointsPerYuan: 3, maxShareBasisPoints: 10_000, minPoints: 0 })).toEqual({ points: 30, cents: 1_000 });
    expect(pointsPaymentPlan(999, 100, { pointsPerYuan: 3, maxShareBasisPoints: 10_000, minPoints: 0 })).toEqual({ points: 27, cents: 900 });
  });

  it('offers nothing under the minimum, with no points, or for an empty bill', () => {
    expect(pointsPaymentPlan(1_000, 99, terms)).toBeNull();
    expect(pointsPaymentPlan(150, 100_000, terms)).toBeNull();
    expect(pointsPaymentPlan(0, 100_000, terms)).toBeNull();
    expect(pointsPaymentPlan(1_000, 0, terms)).toBeNull();
  });
});

describe('yuan for people', () => {
  it('groups thousands and keeps two decimals by integer arithmetic', () => {
    expect(formatYuan(123_456_789)).toBe('¥1,234,567.89');
    expect(formatYuan(5)).toBe('¥0.05');
    expect(formatYuan(-1_200)).toBe('−¥12.00');
    expect(formatSignedYuan(5_000)).toBe('+¥50.00');
    expect(formatSignedYuan(0)).toBe('¥0.00');
    expect(formatPoints(1_234_567)).toBe('1,234,567');
    expect(formatPoints(-20)).toBe('−20');
  });
});
