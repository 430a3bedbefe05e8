import { describe, expect, it } from 'vitest';
import type { RulesBundle } from './bundle.ts';
import { DEFAULT_RULES_BUNDLE } from './default-bundle.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { parseRulesBundle } from './parse.ts';
import { reverseLines } from './refund.ts';
import { line, purchase } from './test-support/fixtures.ts';

/** The default rules (format 2): 1 point per yuan; silver ×1.2, gold ×1.5, diamond ×2 (the seeds' card points). */
const bundle = DEFAULT_RULES_BUNDLE;
const { format: _format, ...formatOne } = DEFAULT_RULES_BUNDLE;
const withRounding = (rounding: 'floor' | 'half_up' | 'ceil', base: Omit<RulesBundle, 'format'> = bundle): RulesBundle =>
  parseRulesBundle({ ...base, points: { ...base.points, rounding } });
const tenOneYuanItems = Array.from({ length: 10 }, (_, i) => line(i + 1, 1));

describe('points are rounded once per purchase and shared over the lines by largest remainder (format 2)', () => {
  it('a gold member (1.5 points per yuan) buying ten 1-yuan items earns 15 points, not 10 (issue 11)', () => {
    const result = evaluatePurchase(bundle, purchase(tenOneYuanItems, { tier: 'gold' }));
    expect(result.pointsEarned).toBe(15);
    // 1.5 each: 1 whole point per line, the 5 left over to the equal fractions in line-number order.
    expect(result.lines.map((l) => l.points)).toEqual([2, 2, 2, 2, 2, 1, 1, 1, 1, 1]);
    expect(result.trace.filter((t) => t.ruleId === 'rounding').map((t) => [t.lineNo, t.points])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
  });

  it('a bundle stored before formats existed (format 1) keeps its meaning: each line floored, 10 points', () => {
    expect(evaluatePurchase(parseRulesBundle(formatOne), purchase(tenOneYuanItems, { tier: 'gold' })).pointsEarned).toBe(10);
  });

  it('refunds stay exact per line: the lines add up to the purchase, and refunding all takes back all', () => {
    const original = evaluatePurchase(bundle, purchase(tenOneYuanItems, { tier: 'gold' }));
    expect(reverseLines(original, [1]).pointsToTakeBack).toBe(2);
    expect(reverseLines(original, [6]).pointsToTakeBack).toBe(1);
    expect(reverseLines(original, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).pointsToTakeBack).toBe(15);
  });

  it('the largest fraction gets the point first; ties go to the lower line number, whatever the order of the lines', () => {
    // silver ×1.2: 3.33 yuan → 3.996, 1.50 → 1.8, 1.50 → 1.8 = 7.596 → 7: floors 3 + 1 + 1 = 5, two left → line 7 (.996) then line 2 (.8, before line 9)
    const result = evaluatePurchase(bundle, purchase([line(9, 0, { unitPriceCents: 150 }), line(7, 0, { unitPriceCents: 333 }), line(2, 0, { unitPriceCents: 150 })], { tier: 'silver' }));
    expect(result.pointsEarned).toBe(7);
    expect(result.lines.map((l) => [l.lineNo, l.points])).toEqual([
      [9, 1],
      [7, 4],
      [2, 2],
    ]);
  });

  it("rounds the purchase's total with the bundle's mode: 10.50 + 10.20 yuan at gold = 15.75 + 15.30 = 31.05 → floor 31, half_up 31, ceil 32", () => {
    const basket = purchase([line(1, 0, { unitPriceCents: 1050 }), line(2, 0, { unitPriceCents: 1020 })], { tier: 'gold' });
    expect(evaluatePurchase(withRounding('floor'), basket).lines.map((l) => l.points)).toEqual([16, 15]);
    expect(evaluatePurchase(withRounding('half_up'), basket).pointsEarned).toBe(31);
    expect(evaluatePurchase(withRounding('ceil'), basket).lines.map((l) => l.points)).toEqual([16, 16]);
    // Format 1 rounds each line: half_up 16 + 15 = 31, ceil 16 + 16 = 32, floor 15 + 15 = 30.
    expect(evaluatePurchase(withRounding('floor', formatOne), basket).pointsEarned).toBe(30);
  });

  it("each line's trace entries still add up to the line's points", () => {
    const result = evaluatePurchase(withRounding('ceil'), purchase([line(1, 0, { unitPriceCents: 1050 }), line(2, 0, { unitPriceCents: 333 }), line(3, 7)], { tier: 'gold' }));
    for (const l of result.lines) {
      const traced = result.trace.filter((t) => t.lineNo === l.lineNo && t.points !== undefined).reduce((s, t) => s + (t.points ?? 0), 0);
      expect(traced).toBe(l.points);
    }
  });

  it('caps apply after the rounding: 15 points under a cap of 12 per transaction keep 12, shared in proportion', () => {
    const capped = parseRulesBundle({ ...bundle, points: { ...bundle.points, caps: { perTransaction: 12 } } });
    const result = evaluatePurchase(capped, purchase(tenOneYuanItems, { tier: 'gold' }));
    expect(result.pointsEarned).toBe(12);
    expect(result.lines.reduce((s, l) => s + l.points, 0)).toBe(12);
  });
});
