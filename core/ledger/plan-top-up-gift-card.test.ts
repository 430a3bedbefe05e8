import { describe, expect, it } from 'vitest';
import { planCardLifecycle } from './plan-card-lifecycle.ts';
import { planRedeemGift } from './plan-redeem-gift.ts';
import { planTopUp } from './plan-top-up.ts';
import {
  bundleWithDepositBonus,
  card,
  context,
  expectCoded,
  gift,
  lifecycleTx,
  lot,
  member,
  redeemTx,
  staff,
  topUpTx,
  type LifecycleTx,
} from './test-support/builders.ts';
import { bundleWithCardTypes } from './test-support/card-types-bundle.ts';
import type { CardStatus } from './types.ts';

describe('planTopUp', () => {
  const ctx = (overrides: Parameters<typeof context>[0] = {}) => context({ bundle: bundleWithDepositBonus(), staff: staff({ role: 'cashier' }), ...overrides });

  it('credits the principal and the deposit bonus band reached to bonus_value', () => {
    // 600.00 reaches the 500.00 band → 50.00 bonus
    const effect = planTopUp(topUpTx(60_000), ctx());
    expect(effect.postings).toEqual([
      { account: 'stored_value', amount: 60_000 },
      { account: 'bonus_value', amount: 5_000 },
    ]);
    expect(effect.summary.valueDeltaCents).toBe(65_000);
    // 1 000.00 reaches the higher band → 120.00
    expect(planTopUp(topUpTx(100_000), ctx()).postings).toContainEqual({ account: 'bonus_value', amount: 12_000 });
  });

  it('pays no bonus below the first band', () => {
    expect(planTopUp(topUpTx(49_999), ctx()).postings).toEqual([{ account: 'stored_value', amount: 49_999 }]);
  });

  it('needs an active staff member of a role that may, in this store', () => {
    expectCoded(() => planTopUp(topUpTx(1_000), ctx({ staff: null })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planTopUp(topUpTx(1_000), ctx({ staff: staff({ role: 'cashier', storeIds: ['S2'] }) })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planTopUp(topUpTx(1_000), ctx({ staff: staff({ role: 'cashier', active: false }) })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planTopUp(topUpTx(1_000), ctx({ staff: staff({ role: 'technician' }) })), 'STAFF_UNAUTHORIZED');
    expect(planTopUp(topUpTx(1_000, { storeId: 'S9' }), ctx({ staff: staff({ role: 'hq_admin', storeIds: ['*'] }) })).postings).toEqual([{ account: 'stored_value', amount: 1_000 }]);
  });

  it('refuses a card that cannot be used', () => {
    expectCoded(() => planTopUp(topUpTx(1_000), ctx({ card: card({ status: 'lost' }) })), 'CARD_LOST');
  });
});

describe('planRedeemGift', () => {
  const lots = [lot('NEVER', 1_000, null), lot('SOON', 400, '2025-04-01T00:00:00.000Z')];

  it('draws price × qty points soonest-expiring first and takes the stock', () => {
    // 2 × 300 = 600 = SOON 400 + NEVER 200
    const effect = planRedeemGift(redeemTx('GIFT-MUG', 2), context({ lots, gift: gift() }));
    expect(effect.postings).toEqual([
      { account: 'points', amount: -400, lotId: 'SOON' },
      { account: 'points', amount: -200, lotId: 'NEVER' },
    ]);
    expect(effect.giftStockChanges).toEqual([{ sku: 'GIFT-MUG', delta: -2 }]);
    expect(effect.summary.pointsSpent).toBe(600);
  });

  it('may take the last of the stock, not more', () => {
    expect(planRedeemGift(redeemTx('GIFT-MUG', 2), context({ lots, gift: gift({ stock: 2 }) })).giftStockChanges).toEqual([{ sku: 'GIFT-MUG', delta: -2 }]);
    expectCoded(() => planRedeemGift(redeemTx('GIFT-MUG', 3), context({ lots, gift: gift({ stock: 2 }) })), 'GIFT_OUT_OF_STOCK', { stock: 2 });
  });

  it('GIFT_UNKNOWN when there is no such gift', () => {
    expectCoded(() => planRedeemGift(redeemTx('NOPE', 1), context({ lots, gift: null })), 'GIFT_UNKNOWN');
  });

  it('INSUFFICIENT_POINTS when the lots do not cover it', () => {
    // 5 × 300 = 1 500 > 1 400
    expectCoded(() => planRedeemGift(redeemTx('GIFT-MUG', 5), context({ lots, gift: gift({ stock: 10 }) })), 'INSUFFICIENT_POINTS', { needed: 1_500, available: 1_400 });
  });

  it('refuses a frozen card', () => {
    expectCoded(() => planRedeemGift(redeemTx('GIFT-MUG', 1), context({ lots, gift: gift(), card: card({ status: 'frozen' }) })), 'CARD_FROZEN');
  });
});

describe('planCardLifecycle', () => {
  type Kind = LifecycleTx['kind'];
  // Written out from the design: report loss of an active or frozen card; cancel a loss; freeze an active card;
  // unfreeze a frozen one; replace an active, lost or frozen card (the old one is cancelled). Nothing else.
  const ALLOWED: Record<Kind, Partial<Record<CardStatus, CardStatus>>> = {
    card_report_loss: { active: 'lost', frozen: 'lost' },
    card_cancel_loss: { lost: 'active' },
    card_freeze: { active: 'frozen' },
    card_unfreeze: { frozen: 'active' },
    card_replace: { active: 'cancelled', lost: 'cancelled', frozen: 'cancelled' },
  };
  const KINDS = Object.keys(ALLOWED) as Kind[];
  const STATUSES: CardStatus[] = ['active', 'lost', 'frozen', 'cancelled', 'expired'];
  const cases = KINDS.flatMap((kind) => STATUSES.map((from) => ({ kind, from, to: ALLOWED[kind][from] ?? null })));

  it.each(cases.filter((c) => c.to !== null))('$kind: $from → $to', ({ kind, from, to }) => {
    const effect = planCardLifecycle(lifecycleTx(kind), context({ card: card({ status: from }), staff: staff() }));
    expect(effect.cardChanges[0]?.status).toBe(to);
    expect(effect.cardChanges[0]?.uid).toBe('A1B2C3D4');
  });

  it.each(cases.filter((c) => c.to === null))('$kind from $from → CARD_BAD_STATE', ({ kind, from }) => {
    expectCoded(() => planCardLifecycle(lifecycleTx(kind), context({ card: card({ status: from }), staff: staff() })), 'CARD_BAD_STATE', { status: from });
  });

  it('there are 8 allowed and 17 refused transitions (2 + 1 + 1 + 1 + 3 = 8 of 5 × 5)', () => {
    expect([cases.filter((c) => c.to !== null).length, cases.filter((c) => c.to === null).length]).toEqual([8, 17]);
  });

  it('a member may report their own card lost without staff; other changes need staff', () => {
    const effect = planCardLifecycle(lifecycleTx('card_report_loss'), context({ staff: null }));
    expect(effect.cardChanges).toEqual([{ uid: 'A1B2C3D4', status: 'lost' }]);
    expectCoded(() => planCardLifecycle(lifecycleTx('card_freeze'), context({ staff: null })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planCardLifecycle(lifecycleTx('card_cancel_loss'), context({ card: card({ status: 'lost' }), staff: null })), 'STAFF_UNAUTHORIZED');
    // a staff member named but not accepted is refused even for a loss report
    expectCoded(() => planCardLifecycle(lifecycleTx('card_report_loss', { withStaff: true }), context({ staff: null })), 'STAFF_UNAUTHORIZED');
    // a cashier may not freeze, a store manager of another store may not either
    expectCoded(() => planCardLifecycle(lifecycleTx('card_freeze'), context({ staff: staff({ role: 'cashier' }) })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planCardLifecycle(lifecycleTx('card_freeze'), context({ staff: staff({ storeIds: ['S2'] }) })), 'STAFF_UNAUTHORIZED');
  });

  it('replace moves the member to the new card and charges the schedule\'s fee from principal stored value', () => {
    // The plain type's replacement fee is ¥10 (test-support/card-types-bundle.ts): from principal only, never bonus.
    const ctx = context({
      bundle: bundleWithCardTypes(),
      card: card({ status: 'lost', cardType: 'plain', holderName: 'Li Lei', validUntil: '2026-01-01T15:59:59.999Z' }),
      member: member({ storedValueCents: 1_600, bonusValueCents: 500 }),
      staff: staff({ role: 'cashier' }),
    });
    const effect = planCardLifecycle(lifecycleTx('card_replace', { newCardUid: 'C0FFEE01', feeCents: 1_000 }), ctx);
    expect(effect.cardChanges).toEqual([{ uid: 'A1B2C3D4', status: 'cancelled', replacedBy: 'C0FFEE01' }]);
    // The new card is the same card renewed: type, holder and validity carry over.
    expect(effect.newCards).toEqual([{ uid: 'C0FFEE01', memberId: 'M1', cardType: 'plain', holderName: 'Li Lei', validUntil: '2026-01-01T15:59:59.999Z' }]);
    expect(effect.postings).toEqual([{ account: 'stored_value', amount: -1_000 }]);
    expect(effect.feeCharges).toEqual([{ cardUid: 'C0FFEE01', feeKind: 'replace', cents: 1_000, tender: 'stored_value' }]);
    expect(effect.summary.valueDeltaCents).toBe(-1_000);
  });

  it('replace without a fee in the schedule posts nothing, and a kiosk naming none is fine', () => {
    const effect = planCardLifecycle(lifecycleTx('card_replace'), context({ staff: staff() }));
    expect(effect.postings).toEqual([]);
    expect(effect.feeCharges).toBeUndefined();
    expect(effect.summary.valueDeltaCents).toBe(0);
    // The default bundle has no card types: a claimed fee other than 0 is refused, not charged.
    expectCoded(() => planCardLifecycle(lifecycleTx('card_replace', { feeCents: 1_000 }), context({ staff: staff() })), 'FEE_MISMATCH', { scheduledCents: 0, claimedCents: 1_000 });
  });

  it('replace refuses a new card already issued, a fee other than the schedule\'s, and a fee principal cannot cover', () => {
    const bundle = bundleWithCardTypes();
    expectCoded(() => planCardLifecycle(lifecycleTx('card_replace'), context({ bundle, staff: staff(), newCardTaken: true })), 'CARD_ALREADY_EXISTS');
    expectCoded(
      () => planCardLifecycle(lifecycleTx('card_replace', { feeCents: 500 }), context({ bundle, staff: staff(), member: member({ storedValueCents: 5_000 }) })),
      'FEE_MISMATCH',
      { scheduledCents: 1_000, claimedCents: 500 },
    );
    // ¥9.99 principal and ¥50 bonus: bonus value never pays a fee.
    expectCoded(
      () => planCardLifecycle(lifecycleTx('card_replace'), context({ bundle, staff: staff(), member: member({ storedValueCents: 999, bonusValueCents: 5_000 }) })),
      'INSUFFICIENT_STORED_VALUE',
    );
    // Paid in cash at the counter instead: the accounts are left alone, the fee is still recorded.
    const cashTx = { ...lifecycleTx('card_replace'), feeTender: 'cash' as const };
    const effect = planCardLifecycle(cashTx, context({ bundle, staff: staff(), member: member({ storedValueCents: 999 }) }));
    expect(effect.postings).toEqual([]);
    expect(effect.feeCharges).toEqual([{ cardUid: 'B1B2C3D4', feeKind: 'replace', cents: 1_000, tender: 'cash' }]);
  });
});
