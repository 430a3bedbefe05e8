import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { parseRulesBundle } from './parse.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('discounts and member prices', () => {
  const bundle = example('discounts');

  it('per tier and per category: gold gets 10% off class A; points are earned after the discount by default', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 200, { category: 'A' }), line(2, 100, { category: 'B' })], { tier: 'gold' }));
    expect(result.lines.map((l) => [l.grossCents, l.discountCents, l.netCents, l.points])).toEqual([
      [20_000, 2_000, 18_000, 180],
      [10_000, 0, 10_000, 100],
    ]);
    expect(result.totalCents).toBe(28_000);
    expect(result.discountCents).toBe(2_000);
  });

  it('earnOn before_discount earns on the shelf price', () => {
    const before = parseRulesBundle({ ...bundle, points: { earnOn: 'before_discount' } });
    const result = evaluatePurchase(before, purchase([line(1, 200, { category: 'A' })], { tier: 'gold' }));
    expect(result.totalCents).toBe(18_000);
    expect(result.pointsEarned).toBe(200);
  });

  it('member price: silver pays 15.00 instead of 18.00 for milk; standard pays shelf price', () => {
    const milk = line(1, 18, { sku: 'MILK-1L', category: 'dairy', qty: 2 });
    expect(evaluatePurchase(bundle, purchase([milk], { tier: 'silver' })).totalCents).toBe(3_000);
    expect(evaluatePurchase(bundle, purchase([milk], { tier: 'standard' })).totalCents).toBe(3_600);
  });
});
