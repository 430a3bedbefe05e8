/**
 * Gift stock per store (schema 8): the planner takes the stock from where the ledger read it — the store's own
 * (GiftState.storeId) or, without one, the chain-wide stock — and refuses with the stock it read.
 */
import { describe, expect, it } from 'vitest';
import { planRedeemGift } from './plan-redeem-gift.ts';
import { context, expectCoded, gift, lot, redeemTx } from './test-support/builders.ts';

describe('planRedeemGift with a store stock', () => {
  const lots = [lot('NEVER', 5_000, null)];

  it("takes a store's own stock from that store", () => {
    const effect = planRedeemGift(redeemTx('GIFT-MUG', 2, { storeId: 'S1' }), context({ lots, gift: gift({ stock: 3, storeId: 'S1' }) }));
    expect(effect.giftStockChanges).toEqual([{ sku: 'GIFT-MUG', delta: -2, storeId: 'S1' }]);
  });

  it("refuses GIFT_OUT_OF_STOCK on the store's stock, whatever the chain holds", () => {
    expectCoded(() => planRedeemGift(redeemTx('GIFT-MUG', 1, { storeId: 'S1' }), context({ lots, gift: gift({ stock: 0, storeId: 'S1' }) })), 'GIFT_OUT_OF_STOCK', { stock: 0 });
  });

  it('takes the chain-wide stock when the store keeps none (no storeId on the change)', () => {
    const effect = planRedeemGift(redeemTx('GIFT-MUG', 1, { storeId: 'S1' }), context({ lots, gift: gift({ stock: 10 }) }));
    expect(effect.giftStockChanges).toEqual([{ sku: 'GIFT-MUG', delta: -1 }]);
    expect(effect.giftStockChanges[0]).not.toHaveProperty('storeId');
  });
});
