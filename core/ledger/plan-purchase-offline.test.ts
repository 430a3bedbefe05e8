import { describe, expect, it } from 'vitest';
import { planPurchase } from './plan-purchase.ts';
import { cash, context, expectCoded, line, lot, member, points, posted, purchaseTx, storedValue } from './test-support/builders.ts';

/**
 * A sale the kiosk took offline within HQ's limits (`acceptedOffline`) reaches the hub after the member's balance
 * changed: it is applied, and what the balance no longer covers is owed on the shortfall accounts — the same sale
 * made online is refused.
 */
describe('planPurchase: a sale taken offline that the balance no longer covers', () => {
  it('draws what the stored value holds and puts the rest on shortfall_value', () => {
    // The kiosk saw ¥996.50 cached; by now only ¥600.00 is left (spent elsewhere). The sale was ¥800.00.
    const tx = { ...purchaseTx([line(1, 80_000)], [storedValue(80_000)]), acceptedOffline: true };
    const effect = planPurchase(tx, context({ member: member({ storedValueCents: 60_000 }) }));
    expect(posted(effect, 'stored_value')).toBe(-60_000);
    expect(posted(effect, 'shortfall_value')).toBe(20_000);
    expect(effect.shortfall).toEqual({ valueCents: 20_000, points: 0 });
    expect(effect.summary.valueDeltaCents).toBe(-60_000);
    expect(effect.purchaseRecord?.tenders.storedValueCents).toBe(60_000);
    // The same sale made online is refused, as before.
    expectCoded(() => planPurchase({ ...tx, acceptedOffline: false }, context({ member: member({ storedValueCents: 60_000 }) })), 'INSUFFICIENT_STORED_VALUE');
  });

  it('draws the points the lots hold and owes the rest on shortfall_points', () => {
    const lots = [lot('L1', 300, null)];
    const tx = { ...purchaseTx([line(1, 10_000)], [points(500), cash(9_500)]), acceptedOffline: true };
    const effect = planPurchase(tx, context({ lots }));
    expect(posted(effect, 'shortfall_points')).toBe(200);
    expect(effect.shortfall).toEqual({ valueCents: 0, points: 200 });
    expect(effect.summary.pointsSpent).toBe(300);
  });

  it('owes nothing and records no shortfall when the balance still covers the sale', () => {
    const tx = { ...purchaseTx([line(1, 5_000)], [storedValue(5_000)]), acceptedOffline: true };
    const effect = planPurchase(tx, context({ member: member({ storedValueCents: 9_000 }) }));
    expect(posted(effect, 'stored_value')).toBe(-5_000);
    expect(posted(effect, 'shortfall_value')).toBe(0);
    expect(effect.shortfall).toBeUndefined();
  });
});
