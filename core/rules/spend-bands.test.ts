import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('spend bands: 0–1000 yuan 1 pt/yuan, 1001–5000 1.5, 5001+ 2', () => {
  it('whole amount (the default): the band the transaction ends in sets the rate for all of it', () => {
    const bundle = example('spend-bands');
    expect(evaluatePurchase(bundle, purchase([line(1, 800)])).pointsEarned).toBe(800);
    expect(evaluatePurchase(bundle, purchase([line(1, 1000)])).pointsEarned).toBe(1000);
    expect(evaluatePurchase(bundle, purchase([line(1, 2000), line(2, 1000)])).pointsEarned).toBe(4500);
    expect(evaluatePurchase(bundle, purchase([line(1, 8000)])).pointsEarned).toBe(16000);
  });

  it('marginal: the first 1000 yuan at 1, the next 4000 at 1.5, the rest at 2', () => {
    const bundle = example('spend-bands-marginal');
    expect(evaluatePurchase(bundle, purchase([line(1, 3000)])).pointsEarned).toBe(4000);
    expect(evaluatePurchase(bundle, purchase([line(1, 8000)])).pointsEarned).toBe(13000);
    const split = evaluatePurchase(bundle, purchase([line(1, 2000), line(2, 1000)]));
    expect(split.pointsEarned).toBe(4000);
    expect(split.lines.map((l) => l.points)).toEqual([2667, 1333]);
  });

  it("cumulative basis: the member's lifetime spend including this purchase picks the band", () => {
    const bundle = example('spend-bands-cumulative');
    const newcomer = evaluatePurchase(bundle, purchase([line(1, 500)]));
    expect(newcomer.pointsEarned).toBe(500);
    const regular = evaluatePurchase(bundle, purchase([line(1, 1000)], { member: { cumulativeSpendCents: 450_000 } }));
    expect(regular.pointsEarned).toBe(2000);
    expect(regular.trace[0]?.label).toBe('cumulative band 2 pt/yuan');
  });
});
