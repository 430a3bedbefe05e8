import { describe, expect, it } from 'vitest';
import { evaluateCardUse } from './cards.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('count cards and time-limited cards', () => {
  const bundle = example('cards');

  it('buying a 10-visit card grants 10 punches valid 365 days (to the end of that local day)', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 300, { sku: 'WASH-10' })], { at: '2025-03-10T10:00:00+08:00' }));
    expect(result.cardGrants).toEqual([{ lineNo: 1, sku: 'WASH-10', serviceId: 'car-wash', punches: 10, validUntil: '2026-03-10T15:59:59.999Z' }]);
  });

  it('each use punches once; an empty card is refused', () => {
    const use = (punchesLeft: number) =>
      evaluateCardUse(bundle, { at: '2025-04-01T10:00:00+08:00', serviceId: 'car-wash', punchesLeft, validUntil: '2026-03-10T15:59:59.999Z' });
    expect(use(10).punchesLeftAfter).toBe(9);
    expect(use(1).punchesLeftAfter).toBe(0);
    expect(() => use(0)).toThrow(expect.objectContaining({ code: 'PUNCH_CARD_EXHAUSTED' }));
  });

  it('a card valid until a date works on that day and is refused the day after', () => {
    const grant = evaluatePurchase(bundle, purchase([line(1, 999, { sku: 'GYM-2025' })])).cardGrants[0];
    expect(grant).toMatchObject({ punches: null, validUntil: '2025-12-31T15:59:59.999Z' });
    const use = (at: string) => evaluateCardUse(bundle, { at, serviceId: 'gym', punchesLeft: null, validUntil: grant!.validUntil });
    expect(use('2025-12-31T23:30:00+08:00').punchesLeftAfter).toBeNull();
    expect(() => use('2026-01-01T00:30:00+08:00')).toThrow(expect.objectContaining({ code: 'CARD_EXPIRED' }));
  });
});
