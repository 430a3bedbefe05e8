import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { parseRulesBundle } from './parse.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('paying with points: 100 points = 1 yuan, at most half the bill, at least 500 points', () => {
  const bundle = example('points-payment');

  it('5000 points pay 50 yuan of a 200 yuan bill; the part paid with points earns nothing', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 200)], { payments: [{ method: 'points', points: 5000 }, { method: 'cash', amountCents: 15_000 }] }));
    expect(result.pointsPayment).toEqual({ points: 5000, valueCents: 5_000 });
    expect(result.pointsEarned).toBe(150);
    expect(result.paymentSplit).toEqual([
      { method: 'cash', cents: 15_000 },
      { method: 'points', cents: 5_000 },
    ]);
  });

  it('refuses more than the max share and less than the minimum', () => {
    const pay = (points: number) => () => evaluatePurchase(bundle, purchase([line(1, 200)], { payments: [{ method: 'points', points }] }));
    expect(pay(12_000)).toThrow(expect.objectContaining({ code: 'POINTS_PAYMENT_OVER_SHARE', message: expect.stringContaining('at most 50% of the bill') }));
    expect(pay(400)).toThrow(expect.objectContaining({ code: 'POINTS_PAYMENT_UNDER_MINIMUM' }));
    expect(pay(10_000)).not.toThrow();
  });

  it('with earnsPoints true the points-paid part earns too', () => {
    const earning = parseRulesBundle({ ...bundle, pointsPayment: { ...bundle.pointsPayment, earnsPoints: true } });
    const result = evaluatePurchase(earning, purchase([line(1, 200)], { payments: [{ method: 'points', points: 5000 }, { method: 'cash', amountCents: 15_000 }] }));
    expect(result.pointsEarned).toBe(200);
  });

  it('stored value earns at 0.5 and cash at 1: 100 yuan each on a 200 yuan bill → 150 points', () => {
    const result = evaluatePurchase(
      bundle,
      purchase([line(1, 200)], { payments: [{ method: 'stored_value', amountCents: 10_000 }, { method: 'cash', amountCents: 10_000 }] }),
    );
    expect(result.pointsEarned).toBe(150);
  });
});
