import { describe, expect, it } from 'vitest';
import { compareEvaluations } from './compare.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { shortTrace } from './short-trace.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('compareEvaluations and shortTrace', () => {
  const bundle = example('combination');
  const ctx = purchase([line(1, 100), line(2, 50)], { tier: 'gold', at: '2025-06-18T12:00:00+08:00' });

  it('agrees with itself and names each differing path', () => {
    const a = evaluatePurchase(bundle, ctx);
    expect(compareEvaluations(a, evaluatePurchase(bundle, ctx))).toEqual({ agree: true, differences: [] });
    const b = structuredClone(a);
    b.lines[1]!.points += 1;
    b.pointsEarned += 1;
    b.tierAfter = 'diamond';
    expect(compareEvaluations(a, b)).toEqual({
      agree: false,
      differences: ['lines[1].points: 150 ≠ 151', 'pointsEarned: 450 ≠ 451', 'tierAfter: null ≠ "diamond"'],
    });
  });

  it('does not compare a trace’s words: an older kiosk’s unkeyed or differently worded trace agrees', () => {
    const hub = evaluatePurchase(bundle, ctx);
    const olderKiosk = structuredClone(hub);
    for (const entry of olderKiosk.trace) {
      delete entry.text;
      entry.label = `old ${entry.label}`;
    }
    expect(compareEvaluations(olderKiosk, hub)).toEqual({ agree: true, differences: [] });
    olderKiosk.trace[0]!.points = (olderKiosk.trace[0]!.points ?? 0) + 1;
    olderKiosk.trace[1]!.ruleId = 'other';
    expect(compareEvaluations(olderKiosk, hub).differences).toEqual(['trace[0].points: 101 ≠ 100', 'trace[1].ruleId: "other" ≠ "base"']);
  });

  it('shortTrace gives one receipt line per rule, summed over the lines', () => {
    expect(shortTrace(evaluatePurchase(bundle, ctx))).toEqual(['1 pt/yuan  +150 pts', 'gold ×1.5  +75 pts', 'double day ×2  +225 pts']);
  });
});
