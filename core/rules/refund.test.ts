import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { reverseLines } from './refund.ts';
import { parseRulesBundle } from './parse.ts';
import { DEFAULT_RULES_BUNDLE } from './default-bundle.ts';
import { line, purchase } from './test-support/fixtures.ts';

describe('refunds reverse line by line', () => {
  // gold ×1.5; 100 points = 1 yuan; points may pay the whole bill in this variant
  const bundle = parseRulesBundle({ ...DEFAULT_RULES_BUNDLE, pointsPayment: { pointsPerYuan: 100, maxShare: '1' } });
  const original = evaluatePurchase(
    bundle,
    purchase([line(1, 100), line(2, 50)], { tier: 'gold', payments: [{ method: 'points', points: 3000 }, { method: 'cash', amountCents: 12_000 }] }),
  );

  it('the points payment is spread over the lines by value, and each line earns on its money part', () => {
    expect(original.lines.map((l) => [l.netCents, l.paidWithPointsCents, l.paidWithPoints, l.earningCents, l.points])).toEqual([
      [10_000, 2_000, 2000, 8_000, 120],
      [5_000, 1_000, 1000, 4_000, 60],
    ]);
  });

  it('refunding line 2 takes back what line 2 earned and gives back the points that paid for it', () => {
    const reversal = reverseLines(original, [2]);
    expect(reversal.pointsToTakeBack).toBe(60);
    expect(reversal.pointsPaymentBack).toEqual({ points: 1000, valueCents: 1_000 });
    expect(reversal.moneyCents).toBe(4_000);
  });

  it('refunding every line reverses the whole purchase exactly', () => {
    const reversal = reverseLines(original, [1, 2]);
    expect(reversal.pointsToTakeBack).toBe(original.pointsEarned);
    expect(reversal.pointsPaymentBack).toEqual(original.pointsPayment);
    expect(reversal.moneyCents + reversal.pointsPaymentBack.valueCents).toBe(original.totalCents);
  });

  it('refuses unknown, repeated and already refunded lines', () => {
    expect(() => reverseLines(original, [3])).toThrow(expect.objectContaining({ code: 'REFUND_BAD_LINES' }));
    expect(() => reverseLines(original, [1, 1])).toThrow(expect.objectContaining({ code: 'REFUND_BAD_LINES' }));
    expect(() => reverseLines(original, [1], [1])).toThrow(expect.objectContaining({ code: 'REFUND_BAD_LINES' }));
  });
});
