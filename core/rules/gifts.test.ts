import { describe, expect, it } from 'vitest';
import { evaluateRedeemGift, giftPrice } from './gifts.ts';
import { example } from './test-support/fixtures.ts';

describe('gift catalogue', () => {
  const bundle = example('gifts');

  it('redeeming 2 mugs at 1200 points deducts 2400 points', () => {
    const result = evaluateRedeemGift(bundle, { giftId: 'mug', qty: 2, pointsBalance: 3000 });
    expect(result.points).toBe(2400);
    expect(result.trace).toEqual([{ ruleId: 'gifts.mug', label: '2 × Mug', text: { key: 'giftRedeem', params: { qty: 2, giftId: 'mug', gift: 'Mug' } }, points: -2400 }]);
  });

  it('prices a gift from the catalogue', () => {
    expect(giftPrice(bundle, 'tote')).toEqual({ giftId: 'tote', name: 'Tote bag', points: 800, stock: null });
  });

  it('refuses unknown gifts, empty stock and too few points with their codes', () => {
    expect(() => evaluateRedeemGift(bundle, { giftId: 'car', qty: 1, pointsBalance: 1e6 })).toThrow(expect.objectContaining({ code: 'GIFT_UNKNOWN' }));
    expect(() => evaluateRedeemGift(bundle, { giftId: 'mug', qty: 2, pointsBalance: 1e6, stockLeft: 1 })).toThrow(expect.objectContaining({ code: 'GIFT_OUT_OF_STOCK' }));
    expect(() => evaluateRedeemGift(bundle, { giftId: 'mug', qty: 1, pointsBalance: 1000 })).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_POINTS' }));
  });
});
