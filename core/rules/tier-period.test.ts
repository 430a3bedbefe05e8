import { describe, expect, it } from 'vitest';
import type { RulesBundle } from './bundle.ts';
import { DEFAULT_RULES_BUNDLE } from './default-bundle.ts';
import { lastClosedTierPeriod, tierPeriodAt } from './tier-period.ts';

const withPeriod = (period: 'month' | 'quarter' | 'year'): RulesBundle => ({
  ...DEFAULT_RULES_BUNDLE,
  tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, downgrade: { policy: 'reevaluate', period } },
});

describe('tier review periods (Asia/Shanghai, UTC+8)', () => {
  it('has none when tiers are never downgraded', () => {
    expect(tierPeriodAt(DEFAULT_RULES_BUNDLE, '2026-06-01T00:00:00.000Z')).toBeNull();
    expect(lastClosedTierPeriod(DEFAULT_RULES_BUNDLE, '2026-06-01T00:00:00.000Z')).toBeNull();
  });

  it('puts an instant in its local year, quarter and month', () => {
    // 2026-12-31T16:30Z is 1 January 2027, 00:30 in Shanghai.
    expect(tierPeriodAt(withPeriod('year'), '2026-12-31T16:30:00.000Z')).toEqual({ key: '2027', start: '2026-12-31T16:00:00.000Z', end: '2027-12-31T16:00:00.000Z' });
    expect(tierPeriodAt(withPeriod('quarter'), '2026-11-22T10:00:00.000Z')).toEqual({ key: '2026-Q4', start: '2026-09-30T16:00:00.000Z', end: '2026-12-31T16:00:00.000Z' });
    expect(tierPeriodAt(withPeriod('month'), '2026-02-10T10:00:00.000Z')).toEqual({ key: '2026-02', start: '2026-01-31T16:00:00.000Z', end: '2026-02-28T16:00:00.000Z' });
  });

  it('names the period that closed last, across a year boundary', () => {
    expect(lastClosedTierPeriod(withPeriod('month'), '2027-01-05T00:00:00.000Z')?.key).toBe('2026-12');
    expect(lastClosedTierPeriod(withPeriod('quarter'), '2027-01-05T00:00:00.000Z')?.key).toBe('2026-Q4');
    expect(lastClosedTierPeriod(withPeriod('year'), '2027-01-05T00:00:00.000Z')?.key).toBe('2026');
  });
});
