/**
 * Issue 11 item 4 through the planners: the seed rules whose outputs reach the ledger today (a ratio deposit
 * bonus, the minimum points balance before points can pay, points validity per tier). docs/RULES.md, "Seed rules
 * of issue 11".
 */
import { describe, expect, it } from 'vitest';
import type { RulesBundle } from '../rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import { parseRulesBundle } from '../rules/parse.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { planPurchase } from './plan-purchase.ts';
import { planRegisterMember } from './plan-register-member.ts';
import { planTopUp } from './plan-top-up.ts';
import { AT, cash, context, expectCoded, line, lot, member, points, posted, purchaseTx, staff, topUpTx, ulid } from './test-support/builders.ts';

const withDefaults = (extra: Partial<RulesBundle>): RulesBundle => parseRulesBundle({ ...DEFAULT_RULES_BUNDLE, ...extra });

describe('deposit_ratio through planTopUp', () => {
  const bundle = withDefaults({
    rules: [{ kind: 'deposit_ratio', id: 'ratio', label: '赠款', bands: [{ minCents: 10_000, ratio: '0.05' }, { minCents: 100_000, ratio: '0.15' }], capCents: 50_000 }],
  });

  it('credits top-up × ratio to bonus value, capped per top-up', () => {
    const small = planTopUp(topUpTx(30_099, { id: ulid(901) }), context({ bundle, staff: staff({ role: 'cashier' }) }));
    expect(posted(small, 'stored_value')).toBe(30_099);
    expect(posted(small, 'bonus_value')).toBe(1_504);
    const large = planTopUp(topUpTx(500_000, { id: ulid(902) }), context({ bundle, staff: staff({ role: 'cashier' }) }));
    expect(posted(large, 'bonus_value')).toBe(50_000);
  });
});

describe('pointsPayment.minBalance through planPurchase', () => {
  const bundle = withDefaults({ pointsPayment: { pointsPerYuan: 100, maxShare: '1', minPoints: 0, minBalance: 1_000, earnsPoints: false } });
  const pay = (held: number) =>
    planPurchase(purchaseTx([line(1, 10_000)], [points(500), cash(9_500)], { id: ulid(911) }), context({ bundle, lots: [lot('L1', held, null)] }));

  it('a member holding 1,000 spendable points pays 500 of them', () => {
    expect(posted(pay(1_000), 'points', 'L1')).toBe(-500);
  });

  it('a member holding 999 is refused with POINTS_PAYMENT_UNDER_MIN_BALANCE; expired lots do not count', () => {
    expectCoded(() => pay(999), 'POINTS_PAYMENT_UNDER_MIN_BALANCE');
    const expired = lot('OLD', 5_000, '2025-01-01T00:00:00.000Z');
    expectCoded(
      () => planPurchase(purchaseTx([line(1, 10_000)], [points(500), cash(9_500)], { id: ulid(912) }), context({ bundle, lots: [expired, lot('L1', 600, null)] })),
      'POINTS_PAYMENT_UNDER_MIN_BALANCE',
    );
  });

  it('a sale a kiosk already took offline is applied, not refused: what the lots lack is owed', () => {
    const tx = { ...purchaseTx([line(1, 10_000)], [points(500), cash(9_500)], { id: ulid(913) }), acceptedOffline: true };
    const effect = planPurchase(tx, context({ bundle, lots: [lot('L1', 300, null)] }));
    expect(posted(effect, 'shortfall_points')).toBe(200);
  });
});

describe('points.expiryByTier through planPurchase', () => {
  const bundle = withDefaults({ points: { ...DEFAULT_RULES_BUNDLE.points, expiryByTier: { gold: { kind: 'never' } } } });
  const earn = (tier: string) => planPurchase(purchaseTx([line(1, 10_000)], [cash(10_000)], { id: ulid(921) }), context({ bundle, member: member({ tier }) })).newLots[0]?.expiresAt;

  it('gold members’ points never expire; a standard member’s expire 365 days on', () => {
    expect(earn('gold')).toBeNull();
    expect(earn('standard')).toBe('2026-03-01T02:00:00.000Z');
    expect(AT).toBe('2025-03-01T02:00:00.000Z');
  });
});

describe('points.expiryByTier for referral awards: by each referrer’s own tier', () => {
  const bundle = withDefaults({
    points: { ...DEFAULT_RULES_BUNDLE.points, expiryByTier: { gold: { kind: 'never' } } },
    rules: [...DEFAULT_RULES_BUNDLE.rules, { kind: 'referral', id: 'ref', on: ['registration'], levels: [{ points: 100 }, { points: 50 }] }],
  });
  const tx: TransactionOf<'register_member'> = {
    id: ulid(931),
    deviceId: 'kiosk-1',
    seq: 1,
    epoch: '',
    kind: 'register_member',
    createdAt: AT,
    storeId: 'S1',
    bundleVersion: 1,
    cardUid: 'C0000000000C',
    name: 'Li',
    phone: '13900000001',
    referrer: { memberId: 'ZHANG' },
  };

  it('a standard referrer’s 100 expire in 365 days, a gold one’s 50 never', () => {
    const zhang = member({ memberId: 'ZHANG', tier: 'standard' });
    const root = member({ memberId: 'ROOT', tier: 'gold' });
    const effect = planRegisterMember(tx, context({ bundle, referrerChain: ['ZHANG', 'ROOT'], referrers: [zhang, root] }));
    const expiryOf = (memberId: string) => effect.newLots.find((l) => l.memberId === memberId)?.expiresAt;
    expect(expiryOf('ZHANG')).toBe('2026-03-01T02:00:00.000Z');
    expect(expiryOf('ROOT')).toBeNull();
  });
});
