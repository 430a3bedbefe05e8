import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { evaluatePaidUpgrade, evaluateTier } from './tiers.ts';
import { parseRulesBundle } from './parse.ts';
import { example, line, member, purchase } from './test-support/fixtures.ts';

describe('tiers: 1000–2000 points silver, 2001–6000 gold, 6001+ diamond', () => {
  const bundle = example('tiers');

  it('upgrades automatically on points earned', () => {
    const tierAfter = (tier: string, cumulativePointsEarned: number, yuan: number) =>
      evaluatePurchase(bundle, purchase([line(1, yuan)], { tier, member: { cumulativePointsEarned } })).tierAfter;
    expect(tierAfter('standard', 900, 99)).toBeNull();
    expect(tierAfter('standard', 900, 100)).toBe('silver');
    expect(tierAfter('silver', 1990, 20)).toBe('gold');
    expect(tierAfter('gold', 5900, 200)).toBe('diamond');
    expect(tierAfter('diamond', 9000, 10)).toBeNull();
  });

  it('upgrades on cumulative spend when the basis says so', () => {
    const bySpend = example('tiers-by-spend');
    const result = evaluatePurchase(bySpend, purchase([line(1, 20)], { member: { cumulativeSpendCents: 99_000 } }));
    expect(result.tierAfter).toBe('silver');
  });

  it('paid upgrade: silver → gold for 1000 points', () => {
    const result = evaluatePaidUpgrade(bundle, { member: member({ tier: 'silver' }), pointsBalance: 1500, targetTier: 'gold' });
    expect(result).toMatchObject({ tierBefore: 'silver', tierAfter: 'gold', points: 1000 });
    expect(() => evaluatePaidUpgrade(bundle, { member: member({ tier: 'silver' }), pointsBalance: 999, targetTier: 'gold' })).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_POINTS' }),
    );
    expect(() => evaluatePaidUpgrade(bundle, { member: member({ tier: 'silver' }), pointsBalance: 99_999, targetTier: 'diamond' })).toThrow(/no paid upgrade/);
  });

  it('downgrade policy reevaluate: at the year end a gold member who earned 1500 that year becomes silver', () => {
    const gold = member({ tier: 'gold', cumulativePointsEarned: 9000 });
    expect(evaluateTier(bundle, { member: gold, mode: 'period_end', periodFigure: 1500 })).toMatchObject({ tierAfter: 'silver', changed: true });
    expect(evaluateTier(bundle, { member: gold, mode: 'now' })).toMatchObject({ tierAfter: 'diamond', changed: true });
  });

  it('downgrade policy never: the period end leaves the tier alone', () => {
    const never = parseRulesBundle({ ...bundle, tiers: { ...bundle.tiers, downgrade: { policy: 'never' } } });
    const gold = member({ tier: 'gold', cumulativePointsEarned: 3000 });
    expect(evaluateTier(never, { member: gold, mode: 'period_end', periodFigure: 10 })).toMatchObject({ tierAfter: 'gold', changed: false });
  });
});
