/**
 * Issue 11 item 4: seed rules the first format could not express — deposit bonus as a ratio (赠款比例) with bands
 * and caps, a minimum points balance before points can pay, points validity per tier (会员类别 … 有效期), tiers
 * reachable only by paying points, and a tier basis by visit count (消费的次数). The numbers are the docs/RULES.md
 * examples; the seeds' own where they give them (silver → gold 1000 points, gold → diamond 5000; 1000 / 2001 /
 * 6001 point thresholds).
 */
import { describe, expect, it } from 'vitest';
import { isCodedError } from '../errors/coded-error.ts';
import { evaluateTopUp } from './evaluate-top-up.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { evaluateManualBonus } from './evaluate-bonus.ts';
import { pointsExpiry } from './expiry.ts';
import { evaluatePointsRebate } from './points-rebate.ts';
import { checkRulesBundle, parseRulesBundle } from './parse.ts';
import { evaluatePaidUpgrade, evaluateTier, evaluateTierCredit } from './tiers.ts';
import { example, line, member, purchase } from './test-support/fixtures.ts';

const AT = '2025-01-10T10:00:00+08:00';
const codeOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return isCodedError(error) ? error.code : error;
  }
  return null;
};

describe('deposit bonus as a ratio (deposit_ratio): top-up × r, by band, capped', () => {
  const bundle = example('deposit-ratio');
  const topUp = (amountCents: number, bonusTodayCents?: number) =>
    evaluateTopUp(bundle, { at: AT, storeId: 'S1', member: member(), amountCents, ...(bonusTodayCents === undefined ? {} : { bonusTodayCents }) });

  it('pays the ratio of the highest band reached, floored to whole cents', () => {
    expect(topUp(9_999).bonusValueCents).toBe(0);
    expect(topUp(10_000).bonusValueCents).toBe(500); // ¥100 × 0.05 = ¥5
    expect(topUp(30_099).bonusValueCents).toBe(1_504); // 1504.95 → 1504
    expect(topUp(50_000).bonusValueCents).toBe(5_000); // ¥500 × 0.1 = ¥50
    expect(topUp(200_000).bonusValueCents).toBe(30_000); // ¥2000 × 0.15 = ¥300
  });

  it('caps the bonus of one top-up (¥500) and of a member’s day (¥600)', () => {
    expect(topUp(500_000).bonusValueCents).toBe(50_000); // 75 000 → capped at 50 000
    expect(topUp(500_000).trace).toEqual([
      { ruleId: 'deposit-ratio', label: '赠款 ×0.15 (capped)', text: { key: 'depositRatio', params: { name: '赠款', ratio: '0.15', capped: true, dailyCap: false } }, cents: 50_000 },
    ]);
    expect(topUp(500_000, 50_000).bonusValueCents).toBe(10_000); // 10 000 left of the day's 60 000
    expect(topUp(200_000, 60_000)).toMatchObject({ bonusValueCents: 0, trace: [] });
  });

  it('sits alongside the fixed-band deposit bonus: the first by priority that pays wins', () => {
    const both = parseRulesBundle({
      version: 1,
      format: 2,
      rules: [...example('deposit-bonus').rules, { ...bundle.rules[0]!, priority: 1 }],
    });
    const r = evaluateTopUp(both, { at: AT, storeId: 'S1', member: member(), amountCents: 50_000 });
    expect(r).toMatchObject({ bonusValueCents: 5_000, trace: [{ ruleId: 'deposit-ratio' }] });
    // Below the ratio's first band, the fixed bands still pay nothing either: no bonus.
    expect(evaluateTopUp(both, { at: AT, storeId: 'S1', member: member(), amountCents: 5_000 }).bonusValueCents).toBe(0);
  });

  it('the fixed-band deposit bonus keeps its meaning', () => {
    expect(evaluateTopUp(example('deposit-bonus'), { at: AT, storeId: 'S1', member: member(), amountCents: 100_000 }).bonusValueCents).toBe(12_000);
  });

  it('refuses bands out of order', () => {
    const bad = { version: 1, rules: [{ kind: 'deposit_ratio', id: 'r', bands: [{ minCents: 500, ratio: '0.1' }, { minCents: 100, ratio: '0.2' }] }] };
    expect(checkRulesBundle(bad)).toMatchObject({ ok: false });
  });
});

describe('minimum points balance before points can pay (pointsPayment.minBalance)', () => {
  const bundle = example('points-payment-min-balance');
  const pay = (pointsBalance: number | undefined, points = 500) =>
    evaluatePurchase(
      bundle,
      purchase([line(1, 200)], {
        member: pointsBalance === undefined ? {} : { pointsBalance },
        payments: [{ method: 'points', points }, { method: 'cash', amountCents: 20_000 - points }],
      }),
    );

  it('lets a member holding 1000 points pay 500 of them', () => {
    expect(pay(1_000).pointsPayment).toEqual({ points: 500, valueCents: 500 });
  });

  it('refuses a member holding 999 points with its own code; a context without a balance is not checked', () => {
    expect(codeOf(() => pay(999))).toBe('POINTS_PAYMENT_UNDER_MIN_BALANCE');
    expect(pay(undefined).pointsPayment).toEqual({ points: 500, valueCents: 500 });
  });

  it('is distinct from minPoints (per payment)', () => {
    expect(codeOf(() => pay(5_000, 400))).toBe('POINTS_PAYMENT_UNDER_MINIMUM');
  });

  it('a purchase without points needs no balance', () => {
    const r = evaluatePurchase(bundle, purchase([line(1, 200)], { payments: [{ method: 'cash', amountCents: 20_000 }] }));
    expect(r.pointsEarned).toBe(200);
  });
});

describe('points validity per tier (points.expiryByTier), by the tier at earning time', () => {
  const bundle = example('expiry-by-tier');

  it('standard and silver: 365 days; gold: end of next year; diamond: never', () => {
    expect(pointsExpiry(bundle, AT, 'standard')).toBe('2026-01-10T02:00:00.000Z');
    expect(pointsExpiry(bundle, AT, 'silver')).toBe('2026-01-10T02:00:00.000Z');
    expect(pointsExpiry(bundle, AT, 'gold')).toBe('2026-12-31T15:59:59.999Z');
    expect(pointsExpiry(bundle, AT, 'diamond')).toBeNull();
    expect(pointsExpiry(bundle, AT)).toBe('2026-01-10T02:00:00.000Z');
  });

  it('a purchase uses the tier the member had when buying, a manual bonus the tier given', () => {
    const gold = evaluatePurchase(bundle, purchase([line(1, 100)], { tier: 'gold', payments: [{ method: 'cash', amountCents: 10_000 }] }));
    expect(gold.pointsExpireAt).toBe('2026-12-31T15:59:59.999Z');
    // 1999 + 100 reaches gold, but these points were earned as silver.
    const silver = evaluatePurchase(bundle, purchase([line(1, 100)], { tier: 'silver', member: { cumulativePointsEarned: 1_999 }, payments: [{ method: 'cash', amountCents: 10_000 }] }));
    expect(silver).toMatchObject({ tierAfter: 'gold', pointsExpireAt: '2026-01-10T02:00:00.000Z' });
    expect(evaluateManualBonus(bundle, { at: AT, points: 10, reason: 'x', tier: 'diamond' }).pointsExpireAt).toBeNull();
  });

  it('refuses a tier the ladder does not know', () => {
    expect(checkRulesBundle({ ...bundle, points: { expiryByTier: { platinum: { kind: 'never' } } } })).toMatchObject({ ok: false });
  });
});

describe('tiers reachable only by paying points (ladder paidOnly)', () => {
  const bundle = example('tiers-paid-only');

  it('6001 points or more do not reach diamond by threshold', () => {
    const r = evaluatePurchase(bundle, purchase([line(1, 100)], { tier: 'gold', member: { cumulativePointsEarned: 9_000 }, payments: [{ method: 'cash', amountCents: 10_000 }] }));
    expect(r.tierAfter).toBeNull();
    expect(evaluateTier(bundle, { member: member({ tier: 'silver', cumulativePointsEarned: 9_000 }), mode: 'now' }).tierAfter).toBe('gold');
    expect(evaluateTierCredit(bundle, { member: member({ tier: 'gold', cumulativePointsEarned: 6_000 }), source: 'event', points: 500 }).tierAfter).toBeNull();
  });

  it('gold → diamond for 5000 points', () => {
    expect(evaluatePaidUpgrade(bundle, { member: member({ tier: 'gold' }), pointsBalance: 5_000, targetTier: 'diamond' })).toMatchObject({ tierAfter: 'diamond', points: 5_000 });
  });

  it('a yearly review does not take a bought tier away', () => {
    const review = (tier: string, periodFigure: number) => evaluateTier(bundle, { member: member({ tier }), mode: 'period_end', periodFigure }).tierAfter;
    expect(review('diamond', 100)).toBe('diamond');
    expect(review('gold', 100)).toBe('standard');
  });

  it('refuses a paid-only entry tier, or a paid-only tier no upgrade leads to', () => {
    const tiers = bundle.tiers!;
    expect(checkRulesBundle({ ...bundle, tiers: { ...tiers, ladder: [{ tier: 'standard', from: 0, paidOnly: true }, ...tiers.ladder.slice(1)] } })).toMatchObject({ ok: false });
    expect(checkRulesBundle({ ...bundle, tiers: { ...tiers, paidUpgrades: [] } })).toMatchObject({ ok: false });
  });
});

describe('tier basis by visit count (basis visits)', () => {
  const bundle = example('tiers-by-visits');
  const buy = (cumulativeVisits: number | undefined, tier = 'standard') =>
    evaluatePurchase(bundle, purchase([line(1, 5)], { tier, member: cumulativeVisits === undefined ? {} : { cumulativeVisits }, payments: [{ method: 'cash', amountCents: 500 }] })).tierAfter;

  it('the 10th purchase reaches silver, the 30th gold, whatever they spend', () => {
    expect(buy(undefined)).toBeNull();
    expect(buy(8)).toBeNull();
    expect(buy(9)).toBe('silver');
    expect(buy(29, 'silver')).toBe('gold');
  });

  it('refuses period reviews by visits (not tracked per period)', () => {
    expect(checkRulesBundle({ ...bundle, tiers: { ...bundle.tiers, downgrade: { policy: 'reevaluate', period: 'year' } } })).toMatchObject({ ok: false });
  });

  it('points credits do not move a visits ladder', () => {
    expect(evaluateTierCredit(bundle, { member: member({ cumulativePointsEarned: 0 }), source: 'event', points: 50_000 }).tierAfter).toBeNull();
    expect(evaluateTier(bundle, { member: member({ cumulativeVisits: 12 }), mode: 'now' }).tierAfter).toBe('silver');
  });
});

describe('automatic conversion of points at a threshold (积分返点, pointsRebate)', () => {
  const value = example('points-rebate');
  const rebate = (tier: string, pointsBalance: number) => evaluatePointsRebate(value, { tier, pointsBalance });

  it('converts whole steps of 1000 points once the balance reaches 5000, at the tier’s ratio', () => {
    expect(rebate('silver', 4_999)).toMatchObject({ points: 0, valueCents: 0, trace: [] });
    expect(rebate('silver', 5_000)).toMatchObject({ points: 5_000, valueCents: 5_000 }); // 5000 × ¥0.01 = ¥50
    expect(rebate('gold', 7_450)).toMatchObject({ points: 7_000, valueCents: 8_400 }); // 7000 × ¥0.012 = ¥84
    expect(rebate('diamond', 10_000)).toMatchObject({ points: 10_000, valueCents: 15_000 }); // ¥150
  });

  it('a tier without a ratio converts nothing when there is no default ratio', () => {
    const byTierOnly = parseRulesBundle({ ...value, pointsRebate: { reward: 'value', threshold: 5_000, ratioByTier: { gold: '0.012' } } });
    expect(evaluatePointsRebate(byTierOnly, { tier: 'silver', pointsBalance: 9_000 }).points).toBe(0);
    expect(evaluatePointsRebate(byTierOnly, { tier: 'gold', pointsBalance: 9_000 })).toMatchObject({ points: 5_000, valueCents: 6_000 });
  });

  it('converts into gift vouchers, the tier’s own gift, limited by stock', () => {
    const gift = example('points-rebate-gift');
    expect(evaluatePointsRebate(gift, { tier: 'standard', pointsBalance: 12_000 })).toMatchObject({ points: 10_000, valueCents: 0, gifts: [{ giftId: 'voucher-50', qty: 2 }] });
    expect(evaluatePointsRebate(gift, { tier: 'gold', pointsBalance: 5_000 })).toMatchObject({ points: 5_000, gifts: [{ giftId: 'voucher-80', qty: 1 }] });
    expect(evaluatePointsRebate(gift, { tier: 'standard', pointsBalance: 12_000, stockLeft: 1 })).toMatchObject({ points: 5_000, gifts: [{ giftId: 'voucher-50', qty: 1 }] });
    expect(evaluatePointsRebate(gift, { tier: 'standard', pointsBalance: 12_000, stockLeft: 0 })).toMatchObject({ points: 0, gifts: [] });
  });

  it('refuses a bundle whose rebate has no ratio, or names a gift not in the catalogue or dearer than the threshold', () => {
    expect(checkRulesBundle({ ...value, pointsRebate: { reward: 'value', threshold: 5_000 } })).toMatchObject({ ok: false });
    const gift = example('points-rebate-gift');
    expect(checkRulesBundle({ ...gift, pointsRebate: { reward: 'gift', threshold: 5_000, giftId: 'yacht' } })).toMatchObject({ ok: false });
    expect(checkRulesBundle({ ...gift, pointsRebate: { reward: 'gift', threshold: 4_000, giftId: 'voucher-50' } })).toMatchObject({ ok: false });
  });
});
