import { describe, expect, it } from 'vitest';
import { drawStoredValue } from './stored-value.ts';
import { expectCoded, member } from './test-support/builders.ts';

describe('drawStoredValue: principal, then bonus value, then credit down to the limit', () => {
  const m = member({ storedValueCents: 1_000, bonusValueCents: 300, creditLimitCents: 500 });

  it('takes principal only while it covers the amount', () => {
    expect(drawStoredValue(m, 600)).toEqual({ postings: [{ account: 'stored_value', amount: -600 }], fromPrincipal: 600, fromBonus: 0 });
  });

  it('then bonus value', () => {
    // 1 200 = principal 1 000 + bonus 200
    expect(drawStoredValue(m, 1_200)).toEqual({
      postings: [
        { account: 'stored_value', amount: -1_000 },
        { account: 'bonus_value', amount: -200 },
      ],
      fromPrincipal: 1_000,
      fromBonus: 200,
    });
  });

  it('then credit, exactly down to the credit limit', () => {
    // 1 800 = principal 1 000 + bonus 300 + credit 500 → principal ends at −500 = −limit
    expect(drawStoredValue(m, 1_800)).toEqual({
      postings: [
        { account: 'stored_value', amount: -1_500 },
        { account: 'bonus_value', amount: -300 },
      ],
      fromPrincipal: 1_500,
      fromBonus: 300,
    });
  });

  it('refuses one cent beyond the credit limit', () => {
    expectCoded(() => drawStoredValue(m, 1_801), 'INSUFFICIENT_STORED_VALUE', { neededCents: 1_801 });
  });

  it('counts credit already used against the limit', () => {
    // principal −200, limit 500: 300 more reaches −500; 301 would be −501
    const onCredit = member({ storedValueCents: -200, creditLimitCents: 500 });
    expect(drawStoredValue(onCredit, 300).postings).toEqual([{ account: 'stored_value', amount: -300 }]);
    expectCoded(() => drawStoredValue(onCredit, 301), 'INSUFFICIENT_STORED_VALUE');
  });

  it('spends bonus before going further into credit', () => {
    // principal −200, bonus 100, limit 500: 350 = bonus 100 + credit 250 → principal −450
    const onCredit = member({ storedValueCents: -200, bonusValueCents: 100, creditLimitCents: 500 });
    expect(drawStoredValue(onCredit, 350)).toEqual({
      postings: [
        { account: 'stored_value', amount: -250 },
        { account: 'bonus_value', amount: -100 },
      ],
      fromPrincipal: 250,
      fromBonus: 100,
    });
  });

  it('with no credit limit refuses anything past principal + bonus', () => {
    const plain = member({ storedValueCents: 100, bonusValueCents: 50 });
    expect(drawStoredValue(plain, 150).fromBonus).toBe(50);
    expectCoded(() => drawStoredValue(plain, 151), 'INSUFFICIENT_STORED_VALUE', { neededCents: 151 });
  });
});
