import { describe, expect, it } from 'vitest';
import { evaluateTopUp } from './evaluate-top-up.ts';
import { example, member } from './test-support/fixtures.ts';

describe('deposit bonus: top up 500 get 50 (bands), credited to bonus value', () => {
  const bundle = example('deposit-bonus');
  const bonus = (amountCents: number) => evaluateTopUp(bundle, { at: '2025-01-10T10:00:00+08:00', storeId: 'S1', member: member(), amountCents }).bonusValueCents;

  it('pays the highest band reached', () => {
    expect(bonus(49_999)).toBe(0);
    expect(bonus(50_000)).toBe(5_000);
    expect(bonus(99_999)).toBe(5_000);
    expect(bonus(100_000)).toBe(12_000);
    expect(bonus(600_000)).toBe(80_000);
  });

  it('says which rule paid it', () => {
    const result = evaluateTopUp(bundle, { at: '2025-01-10T10:00:00+08:00', storeId: 'S1', member: member(), amountCents: 50_000 });
    expect(result.trace).toEqual([{ ruleId: 'top-up-bonus', label: 'top-up bonus', cents: 5_000 }]);
  });

  it('refuses a top-up that is not positive', () => {
    expect(() => bonus(0)).toThrow(/positive/);
  });
});
