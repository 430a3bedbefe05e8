import { describe, expect, it } from 'vitest';
import { drawStoredValue } from './stored-value.ts';
import { expectCoded, member } from './test-support/builders.ts';

describe('drawStoredValue: principal, then bonus value, never below zero', () => {
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

  it('never below zero: one cent past principal + bonus is refused, whatever credit limit the member has', () => {
    // 1 300 = principal 1 000 + bonus 300; the member's 500 credit limit is for the credit tender only (credit.ts)
    expect(drawStoredValue(m, 1_300).fromBonus).toBe(300);
    expectCoded(() => drawStoredValue(m, 1_301), 'INSUFFICIENT_STORED_VALUE', { neededCents: 1_301 });
  });

  it('a principal already below zero (an old overdraft) gives nothing: only bonus value pays', () => {
    const old = member({ storedValueCents: -200, bonusValueCents: 100, creditLimitCents: 500 });
    expect(drawStoredValue(old, 100)).toEqual({ postings: [{ account: 'bonus_value', amount: -100 }], fromPrincipal: 0, fromBonus: 100 });
    expectCoded(() => drawStoredValue(old, 101), 'INSUFFICIENT_STORED_VALUE');
  });

  it('with no credit limit likewise refuses anything past principal + bonus', () => {
    const plain = member({ storedValueCents: 100, bonusValueCents: 50 });
    expect(drawStoredValue(plain, 150).fromBonus).toBe(50);
    expectCoded(() => drawStoredValue(plain, 151), 'INSUFFICIENT_STORED_VALUE', { neededCents: 151 });
  });
});
