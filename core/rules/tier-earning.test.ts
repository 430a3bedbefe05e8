import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('tier multipliers and tier rates', () => {
  it('silver ×1.2, gold ×1.5, diamond ×2 on base points (100 yuan at 1 pt/yuan)', () => {
    const bundle = example('tier-multipliers');
    const points = (tier: string) => evaluatePurchase(bundle, purchase([line(1, 100)], { tier })).pointsEarned;
    expect(points('standard')).toBe(100);
    expect(points('silver')).toBe(120);
    expect(points('gold')).toBe(150);
    expect(points('diamond')).toBe(200);
  });

  it('per-tier earn rates: silver 1, gold 1.5, diamond 2 points per yuan (others fall through to 0.5)', () => {
    const bundle = example('tier-rates');
    const points = (tier: string) => evaluatePurchase(bundle, purchase([line(1, 100)], { tier })).pointsEarned;
    expect(points('standard')).toBe(50);
    expect(points('silver')).toBe(100);
    expect(points('gold')).toBe(150);
    expect(points('diamond')).toBe(200);
  });

  it('the trace says which rule gave what', () => {
    const result = evaluatePurchase(example('tier-multipliers'), purchase([line(1, 100)], { tier: 'gold' }));
    expect(result.trace).toEqual([
      { ruleId: 'base', label: '1 pt/yuan', text: { key: 'earnRate', params: { rate: '1' } }, lineNo: 1, points: 100 },
      { ruleId: 'tier-multipliers', label: 'gold ×1.5', text: { key: 'tierMultiplier', params: { tier: 'gold', factor: '1.5' } }, lineNo: 1, points: 50 },
    ]);
  });
});
