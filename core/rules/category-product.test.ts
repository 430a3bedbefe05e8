import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('category and product rates', () => {
  const bundle = example('category-product-rates');

  it('class A goods 1 point per yuan, class B 2 points per yuan', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 100, { category: 'A' }), line(2, 100, { category: 'B' })]));
    expect(result.lines.map((l) => l.points)).toEqual([100, 200]);
  });

  it('a promoted product earns extra points per yuan: 2 × 10 yuan tea at 1 + 1 = 40 points', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 10, { sku: 'TEA-500', qty: 2 })]));
    expect(result.pointsEarned).toBe(40);
  });

  it('a new product gives a fixed +100 points on top: 50 yuan → 50 + 100', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 50, { sku: 'NEW-1' })]));
    expect(result.pointsEarned).toBe(150);
    expect(result.trace.find((t) => t.ruleId === 'new-product')).toMatchObject({ points: 100, label: 'new product +100' });
  });

  it('a category no rule names earns nothing', () => {
    expect(evaluatePurchase(bundle, purchase([line(1, 100, { category: 'C' })])).pointsEarned).toBe(0);
  });
});
