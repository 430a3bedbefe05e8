import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from './default-bundle.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { parseRulesBundle } from './parse.ts';
import { example, line, purchase } from './test-support/fixtures.ts';
import { tierProgress, type TierFigures } from './tier-progress.ts';

const NOW = '2026-05-10T04:00:00.000Z';

function figures(o: Partial<TierFigures> = {}): TierFigures {
  return { pointsEarned: 0, spendCents: 0, visits: 0, period: null, ...o };
}

describe('tier progress: what the next tier needs, by the rules the ledger applies', () => {
  it('a points ladder (the default rules: silver 1000, gold 2001, diamond 6001, never reviewed)', () => {
    expect(tierProgress(DEFAULT_RULES_BUNDLE, { tier: 'standard', figures: figures({ pointsEarned: 940, spendCents: 99_999 }) }, NOW)).toEqual({
      current: 'standard', next: 'silver', metric: 'points', have: 940, need: 1000, by: null, periodHave: null,
    });
    expect(tierProgress(DEFAULT_RULES_BUNDLE, { tier: 'silver', figures: figures({ pointsEarned: 1500 }) }, NOW)).toMatchObject({ next: 'gold', have: 1500, need: 2001 });
  });

  it('agrees with the upgrade check: reaching `need` is what upgrades, one point short is not', () => {
    const bundle = example('tiers');
    const short = tierProgress(bundle, { tier: 'standard', figures: figures({ pointsEarned: 900 }) }, NOW)!;
    const missing = short.need - short.have;
    const upgradeWith = (points: number) => evaluatePurchase(bundle, purchase([line(1, points)], { member: { cumulativePointsEarned: short.have } })).tierAfter;
    expect(upgradeWith(missing)).toBe(short.next);
    expect(upgradeWith(missing - 1)).toBeNull();
  });

  it('a spend ladder counts integer cents of cumulative spend, not points', () => {
    const bySpend = example('tiers-by-spend');
    expect(tierProgress(bySpend, { tier: 'silver', figures: figures({ pointsEarned: 999_999, spendCents: 150_050 }) }, NOW)).toEqual({
      current: 'silver', next: 'gold', metric: 'spend_cents', have: 150_050, need: 200_100, by: null, periodHave: null,
    });
  });

  it('a visits ladder counts purchases made', () => {
    expect(tierProgress(example('tiers-by-visits'), { tier: 'standard', figures: figures({ visits: 7 }) }, NOW)).toMatchObject({ next: 'silver', metric: 'visits', have: 7, need: 10 });
  });

  it('the top tier has no next tier: need is what the member has', () => {
    expect(tierProgress(DEFAULT_RULES_BUNDLE, { tier: 'diamond', figures: figures({ pointsEarned: 9000 }) }, NOW)).toEqual({
      current: 'diamond', next: null, metric: 'points', have: 9000, need: 9000, by: null, periodHave: null,
    });
  });

  it('a paid-only tier is never the next tier by figures: gold is the top a figure reaches', () => {
    const paidOnly = example('tiers-paid-only');
    expect(tierProgress(paidOnly, { tier: 'gold', figures: figures({ pointsEarned: 5000 }) }, NOW)).toMatchObject({ next: null, need: 5000 });
    expect(tierProgress(paidOnly, { tier: 'silver', figures: figures({ pointsEarned: 1200 }) }, NOW)).toMatchObject({ next: 'gold', need: 2001 });
  });

  it('under a yearly review: `by` is the end of the local year under way, periodHave the year\'s figure so far', () => {
    const yearly = example('tiers'); // reevaluate each year, Asia/Shanghai
    const progress = tierProgress(yearly, { tier: 'silver', figures: figures({ pointsEarned: 1800, period: { key: '2026', pointsEarned: 700, spendCents: 0 } }) }, NOW);
    // 2027-01-01 00:00 in Shanghai.
    expect(progress).toEqual({ current: 'silver', next: 'gold', metric: 'points', have: 1800, need: 2001, by: '2026-12-31T16:00:00.000Z', periodHave: 700 });
    // A view cached in 2026 and read in 2027: nothing counted yet in the new year, which ends a year later.
    const nextYear = tierProgress(yearly, { tier: 'silver', figures: figures({ pointsEarned: 1800, period: { key: '2026', pointsEarned: 700, spendCents: 0 } }) }, '2027-01-02T00:00:00.000Z');
    expect(nextYear).toMatchObject({ periodHave: 0, by: '2027-12-31T16:00:00.000Z' });
  });

  it('a spend ladder under a quarterly review counts the quarter\'s spend', () => {
    const quarterly = parseRulesBundle({ ...example('tiers-by-spend'), tiers: { ...example('tiers-by-spend').tiers, downgrade: { policy: 'reevaluate', period: 'quarter' } } });
    const progress = tierProgress(quarterly, { tier: 'standard', figures: figures({ spendCents: 50_000, period: { key: '2026-Q2', pointsEarned: 10, spendCents: 30_000 } }) }, NOW);
    expect(progress).toMatchObject({ metric: 'spend_cents', have: 50_000, need: 100_000, periodHave: 30_000, by: '2026-06-30T16:00:00.000Z' });
  });

  it('no tiers in the rules: null', () => {
    const { tiers: _none, ...noTiers } = DEFAULT_RULES_BUNDLE;
    expect(tierProgress(noTiers, { tier: 'standard', figures: figures({ pointsEarned: 10 }) }, NOW)).toBeNull();
  });
});
