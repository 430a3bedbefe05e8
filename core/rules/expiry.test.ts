import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { pointsExpiry } from './expiry.ts';
import { consumeLots, returnToLots } from './lots.ts';
import { DEFAULT_RULES_BUNDLE } from './default-bundle.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('points expiry', () => {
  it('N days after earning (the default bundle: 365)', () => {
    expect(pointsExpiry(DEFAULT_RULES_BUNDLE, '2025-01-10T10:00:00Z')).toBe('2026-01-10T10:00:00.000Z');
    expect(evaluatePurchase(DEFAULT_RULES_BUNDLE, purchase([line(1, 10)], { at: '2025-01-10T10:00:00Z' })).pointsExpireAt).toBe('2026-01-10T10:00:00.000Z');
  });

  it('at the end of the local month: earned 1 Feb 04:00 in Shanghai (still 31 Jan UTC) → end of February Shanghai time', () => {
    expect(pointsExpiry(example('expiry-end-of-month'), '2025-01-31T20:00:00Z')).toBe('2025-02-28T15:59:59.999Z');
    expect(pointsExpiry(example('expiry-end-of-month'), '2024-12-05T10:00:00+08:00')).toBe('2024-12-31T15:59:59.999Z');
  });

  it('at the end of the year', () => {
    expect(pointsExpiry(example('expiry-end-of-year'), '2025-06-01T10:00:00+08:00')).toBe('2025-12-31T15:59:59.999Z');
  });

  it('spending takes the soonest-expiring lots first, never-expiring last, and a refund gives back to the same lots', () => {
    const lots = [
      { lotId: 'never', points: 500, expiresAt: null },
      { lotId: 'march', points: 300, expiresAt: '2025-03-31T15:59:59.999Z' },
      { lotId: 'january', points: 200, expiresAt: '2025-01-31T15:59:59.999Z' },
      { lotId: 'expired', points: 900, expiresAt: '2024-12-31T15:59:59.999Z' },
    ];
    const used = consumeLots(lots, 600, '2025-01-10T00:00:00Z');
    expect(used).toEqual([
      { lotId: 'january', points: 200 },
      { lotId: 'march', points: 300 },
      { lotId: 'never', points: 100 },
    ]);
    expect(returnToLots(used, 250)).toEqual([
      { lotId: 'january', points: 200 },
      { lotId: 'march', points: 50 },
    ]);
    expect(() => consumeLots(lots, 1001, '2025-01-10T00:00:00Z')).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_POINTS' }));
  });
});
