import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { countedPoints, evaluatePaidUpgrade, evaluateTier, evaluateTierCredit } from './tiers.ts';
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

describe('all points count where the chain says so (tiers.countedSources; issue 11)', () => {
  // The seeds: "会员积分在1000分至2000分,将普通会员升至银卡会员" — silver from 1000 member points, whatever earned them.
  const bundle = example('tiers');
  const { format: _format, ...formatOne } = bundle;
  const zhang = member({ memberId: 'ZHANG', tier: 'standard', cumulativePointsEarned: 941 });

  it('a referrer at 1,041 points with a 1,000-point silver threshold becomes silver: 941 + 100 referral points', () => {
    expect(evaluateTierCredit(bundle, { member: zhang, source: 'referral', points: 100 })).toMatchObject({ countedPoints: 100, tierAfter: 'silver' });
    expect(evaluateTierCredit(bundle, { member: zhang, source: 'referral', points: 58 })).toMatchObject({ countedPoints: 58, tierAfter: null });
  });

  it('registration, event and manual points count too by default (format 2); format 1 bundles count neither referral nor manual points', () => {
    for (const source of ['registration', 'event', 'manual', 'purchase', 'code', 'draw'] as const) {
      expect(evaluateTierCredit(bundle, { member: zhang, source, points: 100 }).tierAfter).toBe('silver');
    }
    expect(countedPoints(parseRulesBundle(formatOne), 'referral', 100)).toBe(0);
    expect(countedPoints(parseRulesBundle(formatOne), 'manual', 100)).toBe(0);
    expect(countedPoints(parseRulesBundle(formatOne), 'registration', 100)).toBe(100);
  });

  it('a chain that counts only purchase points: referral points neither count nor upgrade; event bonuses on a purchase do not lift the tier', () => {
    const onlyPurchases = parseRulesBundle({ ...bundle, tiers: { ...bundle.tiers, countedSources: ['purchase'] }, rules: [...bundle.rules, { kind: 'event_bonus', id: 'fair', eventId: 'fair', points: 200 }] });
    expect(evaluateTierCredit(onlyPurchases, { member: zhang, source: 'referral', points: 100 })).toMatchObject({ countedPoints: 0, tierAfter: null });
    const withEvent = (eventIds: string[]) => evaluatePurchase(onlyPurchases, purchase([line(1, 50)], { eventIds, member: { cumulativePointsEarned: 941 } }));
    expect(withEvent(['fair']).pointsEarned).toBe(250);
    expect(withEvent(['fair']).tierAfter).toBeNull();
    expect(evaluatePurchase(bundle, purchase([line(1, 59)], { member: { cumulativePointsEarned: 941 } })).tierAfter).toBe('silver');
  });

  it('a correction (negative points) and a tier by cumulative spend never move a tier on a points credit', () => {
    expect(evaluateTierCredit(bundle, { member: zhang, source: 'manual', points: -100 })).toMatchObject({ countedPoints: -100, tierAfter: null });
    expect(evaluateTierCredit(example('tiers-by-spend'), { member: zhang, source: 'referral', points: 100_000 }).tierAfter).toBeNull();
  });

  it('refuses a duplicate source in the bundle', () => {
    expect(() => parseRulesBundle({ ...bundle, tiers: { ...bundle.tiers, countedSources: ['purchase', 'purchase'] } })).toThrow(/duplicate point source/);
  });
});
