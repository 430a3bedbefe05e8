/**
 * A realistic large bundle for the benchmark and the parity property test: 100 rules that are all in force
 * for a gold member in store S1 (region east) on a weekday afternoon, across every pipeline stage, and a
 * 10-line basket that touches them.
 */
import type { Rule, RulesBundle } from '../bundle.ts';
import type { PurchaseContext } from '../types.ts';

const CATEGORIES = ['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9'];
const TIERS = ['standard', 'silver', 'gold', 'diamond'];

export function hundredRuleBundle(): RulesBundle {
  const rules: Rule[] = [];
  for (let i = 0; i < 10; i++) {
    rules.push({ kind: 'member_price', id: `member-price-${i}`, tiers: ['gold', 'diamond'], prices: { [`P${i}`]: 900 + i * 10, [`Q${i}`]: 500 } });
  }
  for (let i = 0; i < 10; i++) {
    rules.push({
      kind: 'discount',
      id: `discount-${i}`,
      categories: [CATEGORIES[i]!],
      percentOffByTier: { silver: '2', gold: `${1 + (i % 5)}`, diamond: '8' },
      scope: { regions: ['east', 'south'] },
      window: { daysOfWeek: [1, 2, 3, 4, 5, 6, 7] },
    });
  }
  for (let i = 0; i < 30; i++) {
    const category = CATEGORIES[i % 10]!;
    if (i % 3 === 0) rules.push({ kind: 'earn_rate', id: `earn-${i}`, priority: 30 - i, byCategory: { [category]: `${1 + (i % 4) * 0.5}`, X: '1' } });
    else if (i % 3 === 1) rules.push({ kind: 'earn_rate', id: `earn-${i}`, priority: 30 - i, categories: [category], tiers: ['gold', 'diamond'], rate: '1.5' });
    else rules.push({ kind: 'earn_rate', id: `earn-${i}`, priority: 30 - i, skus: [`P${i % 10}`], byTier: { standard: '1', silver: '1.2', gold: '1.8', diamond: '2' } });
  }
  for (let i = 0; i < 5; i++) {
    rules.push({
      kind: 'spend_bands',
      id: `bands-${i}`,
      priority: -1,
      categories: [CATEGORIES[i * 2]!],
      basis: i % 2 === 0 ? 'transaction' : 'cumulative',
      mode: i % 2 === 0 ? 'whole' : 'marginal',
      bands: [
        { upToCents: 100_000, rate: '1' },
        { upToCents: 500_000, rate: '1.5' },
        { upToCents: null, rate: '2' },
      ],
    });
  }
  for (let i = 0; i < 10; i++) {
    rules.push(
      i % 2 === 0
        ? { kind: 'product_bonus', id: `promo-${i}`, skus: [`P${i}`], extraRate: '0.5' }
        : { kind: 'product_bonus', id: `promo-${i}`, skus: [`P${i}`], pointsPerUnit: 10 * i },
    );
  }
  for (let i = 0; i < 30; i++) {
    const category = CATEGORIES[i % 10]!;
    if (i === 0) rules.push({ kind: 'multiplier', id: 'tier-multipliers', priority: 100, byTier: { silver: '1.2', gold: '1.5', diamond: '2' } });
    else
      rules.push({
        kind: 'multiplier',
        id: `promo-multiplier-${i}`,
        priority: 50 - i,
        categories: [category],
        factor: `1.0${1 + (i % 5)}`,
        tiers: TIERS.slice(1),
        scope: i % 2 === 0 ? { stores: ['S1', 'S2'] } : { regions: ['east'] },
        window: { daysOfWeek: [1, 2, 3, 4, 5], hours: { from: '08:00', to: '22:00' }, monthDays: { from: '01-01', to: '12-31' } },
      });
  }
  for (let i = 0; i < 5; i++) rules.push({ kind: 'event_bonus', id: `event-${i}`, eventId: `E${i}`, points: 10 + i });
  return {
    version: 7,
    format: 2,
    timezone: 'Asia/Shanghai',
    points: { multiplierStacking: 'multiply', rounding: 'floor', caps: { perTransaction: 1_000_000, perDay: 2_000_000 }, expiry: { kind: 'end_of_month', monthsLater: 12 } },
    pointsPayment: { pointsPerYuan: 100, maxShare: '0.5', minPoints: 100 },
    tiers: {
      ladder: [
        { tier: 'standard', from: 0 },
        { tier: 'silver', from: 1000 },
        { tier: 'gold', from: 2001 },
        { tier: 'diamond', from: 6001 },
      ],
    },
    rules,
  };
}

export function tenLineBasket(): PurchaseContext {
  return {
    at: '2025-05-14T15:30:00+08:00',
    storeId: 'S1',
    regionId: 'east',
    member: { memberId: 'M-bench', tier: 'gold', cumulativeSpendCents: 250_000, cumulativePointsEarned: 3_000, pointsEarnedToday: 0, referrerChain: [] },
    lines: CATEGORIES.map((category, i) => ({ lineNo: i + 1, sku: `P${i}`, category, qty: 1 + (i % 3), unitPriceCents: 1_000 + i * 2_350 })),
    payments: [
      { method: 'points', points: 2_000 },
      { method: 'stored_value', amountCents: 30_000 },
    ],
    eventIds: ['E1'],
  };
}
