/** The Rules page's pure helpers: the form's common rules over a draft and what it inherits, and the line diff. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { foldDiff, lineDiff, readCommon, stableText, withEarnRate, withMultipliers } from '../../console/src/rules/rules-draft.ts';

const { version: _v, ...inherited } = DEFAULT_RULES_BUNDLE as unknown as Record<string, unknown>;

describe('the common rules form over a draft', () => {
  it('reads the inherited earn rate and tier multipliers when the draft sets none', () => {
    const common = readCommon({}, inherited);
    expect(common).toMatchObject({ earnRate: '1', earnRateRuleId: 'base', multiplierRuleId: 'tier-multipliers', tiers: ['standard', 'silver', 'gold', 'diamond'], fromDraft: { earnRate: false, multipliers: false } });
    expect(common.multipliers).toEqual({ standard: '', silver: '1.2', gold: '1.5', diamond: '2' });
  });

  it('copies an inherited rule into the draft by id, then changes it in place', () => {
    const once = withEarnRate({}, inherited, '2');
    // The label named the old rate: left out, so the engine makes one from the new rate.
    expect(once).toEqual({ rules: [{ kind: 'earn_rate', id: 'base', rate: '2' }] });
    expect(withEarnRate({ rules: [{ kind: 'earn_rate', id: 'base', label: 'Base rate', rate: '1' }] }, inherited, '2').rules).toEqual([{ kind: 'earn_rate', id: 'base', label: 'Base rate', rate: '2' }]);
    const twice = withEarnRate(once, inherited, '3');
    expect(twice.rules).toHaveLength(1);
    expect(readCommon(twice, inherited)).toMatchObject({ earnRate: '3', fromDraft: { earnRate: true } });
    const tiers = withMultipliers(twice, inherited, { standard: '', silver: '1.3', gold: '1.5', diamond: '1' });
    expect(tiers.rules).toEqual([expect.objectContaining({ id: 'base' }), { kind: 'multiplier', id: 'tier-multipliers', byTier: { silver: '1.3', gold: '1.5' } }]);
  });

  it('makes a base rule when no scope has one', () => {
    expect(withEarnRate({ timezone: 'Asia/Shanghai' }, { rules: [] }, '1.5')).toEqual({ timezone: 'Asia/Shanghai', rules: [{ kind: 'earn_rate', id: 'base', rate: '1.5' }] });
  });
});

describe('the diff against the published rules', () => {
  it('shows changed lines as removed and added, keys sorted so order does not count', () => {
    const before = stableText({ rules: [{ id: 'base', rate: '1', kind: 'earn_rate' }] });
    const after = stableText({ rules: [{ kind: 'earn_rate', rate: '2', id: 'base' }] });
    const diff = lineDiff(before, after).filter((l) => l.kind !== 'same');
    expect(diff).toEqual([
      { kind: 'removed', text: '      "rate": "1"', old: 6, new: null },
      { kind: 'added', text: '      "rate": "2"', old: null, new: 6 },
    ]);
    expect(lineDiff(before, before).every((l) => l.kind === 'same')).toBe(true);
    expect(lineDiff('', 'a\nb').map((l) => l.kind)).toEqual(['added', 'added']);
  });

  it('folds long unchanged runs', () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const b = a.replace('line 10', 'line ten');
    const folded = foldDiff(lineDiff(a, b), 2);
    expect(folded.filter((l) => l.kind === 'fold')).toEqual([{ kind: 'fold', count: 8 }, { kind: 'fold', count: 7 }]);
  });
});
