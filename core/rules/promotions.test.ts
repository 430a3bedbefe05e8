import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('time-limited and scoped promotions (Asia/Shanghai local time)', () => {
  const bundle = example('promotions');
  const points = (at: string, options: { storeId?: string; regionId?: string } = {}) =>
    evaluatePurchase(bundle, purchase([line(1, 100)], { at, ...options })).pointsEarned;

  it('24–25 December ×3', () => {
    expect(points('2024-12-24T12:00:00+08:00')).toBe(300);
    expect(points('2024-12-25T23:59:00+08:00')).toBe(300);
    expect(points('2024-12-26T00:00:00+08:00')).toBe(100);
    // 17:00 UTC on the 23rd is already 01:00 on the 24th in Shanghai
    expect(points('2024-12-23T17:00:00Z')).toBe(300);
  });

  it('double points in the National Day golden week, 1–7 October', () => {
    expect(points('2025-10-01T09:00:00+08:00')).toBe(200);
    expect(points('2025-10-07T21:00:00+08:00')).toBe(200);
    expect(points('2025-10-08T09:00:00+08:00')).toBe(100);
  });

  it('weekday and hour window: Wednesday 18:00–21:00 ×1.5', () => {
    expect(points('2025-01-08T19:00:00+08:00')).toBe(150); // Wednesday
    expect(points('2025-01-08T21:00:00+08:00')).toBe(100); // the window's end is exclusive
    expect(points('2025-01-09T19:00:00+08:00')).toBe(100); // Thursday
  });

  it('scoped to a region or a store', () => {
    expect(points('2025-01-10T10:00:00+08:00', { regionId: 'south' })).toBe(120);
    expect(points('2025-01-10T10:00:00+08:00', { regionId: 'north' })).toBe(100);
    expect(points('2025-03-03T10:00:00+08:00', { storeId: 'S-NEW' })).toBe(200);
    expect(points('2025-03-08T10:00:00+08:00', { storeId: 'S-NEW' })).toBe(100);
  });

  it('promotions multiply together by default: Christmas in the south region is ×3 ×1.2', () => {
    expect(points('2024-12-24T12:00:00+08:00', { regionId: 'south' })).toBe(360);
  });
});
