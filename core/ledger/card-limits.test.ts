import { describe, expect, it } from 'vitest';
import { planPurchase } from './plan-purchase.ts';
import { card, context, expectCoded, line, lot, member, points, purchaseTx, storedValue, cash } from './test-support/builders.ts';
import { bundleWithCardTypes } from './test-support/card-types-bundle.ts';

// 附属卡: ¥100 per purchase, ¥200 per local day, no points payment (test-support/card-types-bundle.ts).
const bundle = bundleWithCardTypes();
const supp = card({ cardType: 'supp', holderName: '李小明' });
const shared = member({ storedValueCents: 100_000 });
const DAY = 20250301; // AT is 1 March 2025 10:00 in Shanghai

describe('an attached card spends the shared accounts within its own limits', () => {
  it('counts stored value spent on its local day', () => {
    const effect = planPurchase(purchaseTx([line(1, 8_000)], [storedValue(8_000)]), context({ bundle, card: supp, member: shared, cardSpend: { day: DAY, spentCents: 0 } }));
    expect(effect.cardDailySpend).toEqual({ uid: 'A1B2C3D4', day: DAY, cents: 8_000 });
  });

  it('refuses a purchase over the per-purchase limit; cash is not limited', () => {
    expectCoded(() => planPurchase(purchaseTx([line(1, 10_001)], [storedValue(10_001)]), context({ bundle, card: supp, member: shared, cardSpend: { day: DAY, spentCents: 0 } })), 'CARD_LIMIT_EXCEEDED', {
      limit: 'perTransaction',
    });
    const byCash = planPurchase(purchaseTx([line(1, 50_000)], [cash(50_000)]), context({ bundle, card: supp, member: shared, cardSpend: { day: DAY, spentCents: 0 } }));
    expect(byCash.cardDailySpend).toBeUndefined();
  });

  it('refuses what would take the day over its limit, counting earlier spend', () => {
    // ¥150 spent today, ¥60 more would make ¥210 > ¥200; ¥50 makes exactly ¥200.
    const ctx = context({ bundle, card: supp, member: shared, cardSpend: { day: DAY, spentCents: 15_000 } });
    expectCoded(() => planPurchase(purchaseTx([line(1, 6_000)], [storedValue(6_000)]), ctx), 'CARD_LIMIT_EXCEEDED', { limit: 'perDay', spentCents: 15_000 });
    expect(planPurchase(purchaseTx([line(1, 5_000)], [storedValue(5_000)]), ctx).cardDailySpend).toEqual({ uid: 'A1B2C3D4', day: DAY, cents: 5_000 });
  });

  it('refuses points payment where the type turns it off', () => {
    const ctx = context({ bundle, card: supp, member: shared, lots: [lot('L1', 10_000, null)], cardSpend: { day: DAY, spentCents: 0 } });
    expectCoded(() => planPurchase(purchaseTx([line(1, 1_000)], [points(1_000)]), ctx), 'CARD_LIMIT_EXCEEDED', { limit: 'pointsPayment' });
  });

  it('applies a sale a kiosk already took offline anyway, and counts it', () => {
    const tx = { ...purchaseTx([line(1, 15_000)], [storedValue(15_000)]), acceptedOffline: true };
    const effect = planPurchase(tx, context({ bundle, card: supp, member: shared, cardSpend: { day: DAY, spentCents: 15_000 } }));
    expect(effect.postings).toContainEqual({ account: 'stored_value', amount: -15_000 });
    expect(effect.cardDailySpend).toEqual({ uid: 'A1B2C3D4', day: DAY, cents: 15_000 });
  });

  it('a personal card has no limits', () => {
    const effect = planPurchase(purchaseTx([line(1, 50_000)], [storedValue(50_000)]), context({ bundle, card: card({ cardType: 'gold' }), member: shared, cardSpend: { day: DAY, spentCents: 0 } }));
    expect(effect.cardDailySpend).toBeUndefined();
  });
});
