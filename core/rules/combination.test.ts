import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { parseRulesBundle } from './parse.ts';
import type { RulesBundle } from './bundle.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('combining rules: priorities, stop, stacking, caps, rounding', () => {
  const bundle = example('combination');
  const doubleDay = '2025-06-18T12:00:00+08:00';
  const withPoints = (changes: NonNullable<RulesBundle['points']>) => parseRulesBundle({ ...bundle, points: { ...bundle.points, ...changes } });

  it('multipliers multiply by default: gold ×1.5 and double day ×2 on 100 base points → 300', () => {
    expect(evaluatePurchase(bundle, purchase([line(1, 100)], { tier: 'gold', at: doubleDay })).pointsEarned).toBe(300);
  });

  it('highest only → 200; add (1 + 0.5 + 1) → 250', () => {
    const ctx = purchase([line(1, 100)], { tier: 'gold', at: doubleDay });
    expect(evaluatePurchase(withPoints({ multiplierStacking: 'highest' }), ctx).pointsEarned).toBe(200);
    expect(evaluatePurchase(withPoints({ multiplierStacking: 'add' }), ctx).pointsEarned).toBe(250);
  });

  it('priority: the VIP corner rate (priority 20) beats the base rate for its category: 100 yuan → 300 ×1.5 ×2', () => {
    expect(evaluatePurchase(bundle, purchase([line(1, 100, { category: 'VIP' })], { tier: 'gold', at: doubleDay })).pointsEarned).toBe(900);
  });

  it('stop-after-this-rule: clearance goods take ×1 and no later multiplier', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 100, { category: 'CLEARANCE' })], { tier: 'gold', at: doubleDay }));
    expect(result.pointsEarned).toBe(100);
    expect(result.trace.map((t) => t.ruleId)).toEqual(['base', 'clearance-only']);
  });

  it('cap per transaction: 2000 yuan × 1.5 × 2 = 6000 points, capped at 5000, scaled line by line', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 1500), line(2, 500)], { tier: 'gold', at: doubleDay }));
    expect(result.pointsEarned).toBe(5000);
    expect(result.lines.map((l) => l.points)).toEqual([3750, 1250]);
    expect(result.trace.filter((t) => t.ruleId === 'cap:transaction').map((t) => t.points)).toEqual([-750, -250]);
  });

  it('cap per day: 7000 already earned today leaves 1000 of the 8000 daily cap', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 1000)], { tier: 'gold', at: doubleDay, member: { pointsEarnedToday: 7000 } }));
    expect(result.pointsEarned).toBe(1000);
  });

  it('rounding: 10.50 yuan at gold ×1.5 = 15.75 points → floor 15 (default), half_up 16, ceil 16', () => {
    const ctx = purchase([line(1, 0, { unitPriceCents: 1050 })], { tier: 'gold' });
    expect(evaluatePurchase(bundle, ctx).pointsEarned).toBe(15);
    expect(evaluatePurchase(withPoints({ rounding: 'half_up' }), ctx).pointsEarned).toBe(16);
    expect(evaluatePurchase(withPoints({ rounding: 'ceil' }), ctx).pointsEarned).toBe(16);
    const ctxLow = purchase([line(1, 0, { unitPriceCents: 1020 })], { tier: 'gold' }); // 15.30
    expect(evaluatePurchase(withPoints({ rounding: 'half_up' }), ctxLow).pointsEarned).toBe(15);
  });

  it("trace entries of a line add up to the line's points", () => {
    const result = evaluatePurchase(withPoints({ rounding: 'ceil' }), purchase([line(1, 0, { unitPriceCents: 1050 }), line(2, 1500)], { tier: 'gold', at: doubleDay }));
    for (const l of result.lines) {
      const traced = result.trace.filter((t) => t.lineNo === l.lineNo && t.points !== undefined).reduce((s, t) => s + (t.points ?? 0), 0);
      expect(traced).toBe(l.points);
    }
  });
});
