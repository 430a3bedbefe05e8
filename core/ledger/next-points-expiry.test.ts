import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import { pointsExpiry } from '../rules/expiry.ts';
import { example } from '../rules/test-support/fixtures.ts';
import { nextPointsExpiry } from './next-points-expiry.ts';
import { lot } from './test-support/builders.ts';

const NOW = '2026-03-01T02:00:00.000Z';

describe('next points expiry: the soonest local day points expire on, and how many', () => {
  it('N days after earning (the default rules, Asia/Shanghai): every lot expiring that local day, from the soonest instant', () => {
    const lots = [
      lot('later', 40, '2026-03-05T01:00:00.000Z'),
      // 4 March in Shanghai: 00:00 local (16:00 UTC the day before) …
      lot('first', 10, '2026-03-03T16:00:00.000Z'),
      // … to 23:59 local.
      lot('same-day', 25, '2026-03-04T15:59:00.000Z'),
      lot('never', 500, null),
    ];
    expect(nextPointsExpiry(DEFAULT_RULES_BUNDLE, lots, NOW)).toEqual({ nextAt: '2026-03-03T16:00:00.000Z', points: 35 });
  });

  it('leaves out lots already expired (not swept yet), used up, or taken negative; null with nothing left to expire', () => {
    const lots = [lot('expired', 99, '2026-02-28T00:00:00.000Z'), lot('used', 0, '2026-03-02T00:00:00.000Z'), lot('owed', -5, '2026-03-02T00:00:00.000Z'), lot('next', 7, '2026-03-10T00:00:00.000Z')];
    expect(nextPointsExpiry(DEFAULT_RULES_BUNDLE, lots, NOW)).toEqual({ nextAt: '2026-03-10T00:00:00.000Z', points: 7 });
    expect(nextPointsExpiry(DEFAULT_RULES_BUNDLE, lots.slice(0, 3), NOW)).toBeNull();
  });

  it('no expiry: never-expiring lots only, or no lots, give null', () => {
    expect(nextPointsExpiry(DEFAULT_RULES_BUNDLE, [lot('a', 100, null), lot('b', 5, null)], NOW)).toBeNull();
    expect(nextPointsExpiry(DEFAULT_RULES_BUNDLE, [], NOW)).toBeNull();
  });

  it('end of year: the year\'s lots share one instant and are summed; next year\'s are not', () => {
    const bundle = example('expiry-end-of-year');
    const end2026 = pointsExpiry(bundle, '2026-02-01T04:00:00.000Z')!;
    const lots = [lot('jan', 30, pointsExpiry(bundle, '2026-01-15T04:00:00.000Z')), lot('feb', 12, end2026), lot('2027', 80, pointsExpiry(bundle, '2027-01-03T04:00:00.000Z'))];
    expect(nextPointsExpiry(bundle, lots, NOW)).toEqual({ nextAt: end2026, points: 42 });
  });
});
