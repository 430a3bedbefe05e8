import { describe, expect, it } from 'vitest';
import { evaluateEventBonus, evaluateManualBonus } from './evaluate-bonus.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { evaluateRegistration } from './evaluate-registration.ts';
import { example, line, member, purchase } from './test-support/fixtures.ts';

describe('bonuses: registration, events, manual, multi-level referral', () => {
  const bundle = example('bonuses-referral');
  const at = '2025-04-01T10:00:00+08:00';

  it('registration: the new member gets 200 points; B registering with A as referrer gives A level-1 points', () => {
    const result = evaluateRegistration(bundle, { at, storeId: 'S1', memberId: 'B', referrerChain: ['A'] });
    expect(result.points).toBe(200);
    expect(result.referralAwards).toEqual([{ ruleId: 'referral-registration', memberId: 'A', level: 1, points: 100 }]);
    expect(result.pointsExpireAt).toBe('2026-04-01T02:00:00.000Z');
  });

  it('C registers with B as referrer: B gets level-1 and A level-2 points', () => {
    const result = evaluateRegistration(bundle, { at, storeId: 'S1', memberId: 'C', referrerChain: ['B', 'A'] });
    expect(result.referralAwards.map((a) => [a.memberId, a.level, a.points])).toEqual([
      ['B', 1, 100],
      ['A', 2, 50],
    ]);
  });

  it('N levels: a chain longer than the rule pays only the levels the rule defines (3 here)', () => {
    const result = evaluateRegistration(bundle, { at, storeId: 'S1', memberId: 'E', referrerChain: ['D', 'C', 'B', 'A'] });
    expect(result.referralAwards.map((a) => a.points)).toEqual([100, 50, 20]);
  });

  it('on purchases: C buys for 1000 yuan, B earns 0.1 and A 0.05 points per yuan', () => {
    const result = evaluatePurchase(bundle, purchase([line(1, 1000)], { at, member: { memberId: 'C', referrerChain: ['B', 'A'] } }));
    expect(result.pointsEarned).toBe(1000);
    expect(result.referralAwards.map((a) => [a.memberId, a.level, a.points])).toEqual([
      ['B', 1, 100],
      ['A', 2, 50],
    ]);
  });

  it('taking part in an event: +50, on its own or with a purchase', () => {
    expect(evaluateEventBonus(bundle, { at, storeId: 'S1', member: member(), eventId: 'spring-fair-2025' }).points).toBe(50);
    expect(evaluateEventBonus(bundle, { at, storeId: 'S1', member: member(), eventId: 'other' }).points).toBe(0);
    const withPurchase = evaluatePurchase(bundle, purchase([line(1, 10)], { at, eventIds: ['spring-fair-2025'] }));
    expect(withPurchase.bonuses).toEqual([{ ruleId: 'spring-fair', points: 50, label: 'spring fair +50' }]);
    expect(withPurchase.pointsEarned).toBe(60);
  });

  it('manual bonus with a reason, within the limits HQ set', () => {
    const ok = evaluateManualBonus(bundle, { at, points: 300, reason: 'birthday' });
    expect(ok.points).toBe(300);
    expect(ok.trace[0]?.label).toBe('manual: birthday');
    expect(() => evaluateManualBonus(bundle, { at, points: 6000, reason: 'birthday' })).toThrow(expect.objectContaining({ code: 'MANUAL_BONUS_OVER_MAX' }));
    expect(() => evaluateManualBonus(bundle, { at, points: 10, reason: 'because' })).toThrow(expect.objectContaining({ code: 'MANUAL_BONUS_REASON_NOT_ALLOWED', message: expect.stringMatching(/not one of/) }));
    expect(() => evaluateManualBonus(bundle, { at, points: 10, reason: '  ' })).toThrow(expect.objectContaining({ code: 'MANUAL_BONUS_REFUSED', message: expect.stringMatching(/needs a reason/) }));
  });
});
