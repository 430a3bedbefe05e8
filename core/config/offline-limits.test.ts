import { describe, expect, it } from 'vitest';
import { checkOfflineSpend, DEFAULT_OFFLINE_LIMITS, type OfflineSpendCheck } from './offline-limits.ts';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const base: OfflineSpendCheck = {
  limits: DEFAULT_OFFLINE_LIMITS,
  lastHubContactMs: NOW - 60_000,
  nowMs: NOW,
  snapshotExpired: false,
  card: { spends: 0, storedValueTodayCents: 0, pointsToday: 0 },
  kioskUnconfirmedCents: 0,
  spend: { storedValueCents: 1_000, points: 0 },
};

describe('offline spending limits', () => {
  it('lets a spend within every limit through, and never limits paying with money', () => {
    expect(checkOfflineSpend(base)).toBeNull();
    expect(checkOfflineSpend({ ...base, snapshotExpired: true, spend: { storedValueCents: 0, points: 0 } })).toBeNull();
  });

  it('refuses the ¥5,000 spend against ¥500 a day, and says what is left', () => {
    expect(checkOfflineSpend({ ...base, card: { ...base.card, storedValueTodayCents: 20_000 }, spend: { storedValueCents: 500_000, points: 0 } })).toEqual({ code: 'OFFLINE_CARD_DAY_LIMIT', leftCents: 30_000 });
  });

  it('refuses past the per-card count, the points per day, the kiosk exposure, the offline time and an expired snapshot', () => {
    expect(checkOfflineSpend({ ...base, card: { ...base.card, spends: 3 } })).toEqual({ code: 'OFFLINE_CARD_SPENDS', spendsPerCard: 3 });
    expect(checkOfflineSpend({ ...base, card: { ...base.card, pointsToday: 19_500 }, spend: { storedValueCents: 0, points: 1_000 } })).toEqual({ code: 'OFFLINE_CARD_POINTS_LIMIT', leftPoints: 500 });
    expect(checkOfflineSpend({ ...base, kioskUnconfirmedCents: 499_500 })).toEqual({ code: 'OFFLINE_KIOSK_EXPOSURE', leftCents: 500 });
    expect(checkOfflineSpend({ ...base, lastHubContactMs: NOW - 73 * 3_600_000 })).toEqual({ code: 'OFFLINE_TOO_LONG', maxOfflineHours: 72 });
    expect(checkOfflineSpend({ ...base, lastHubContactMs: null })).toEqual({ code: 'OFFLINE_TOO_LONG', maxOfflineHours: 72 });
    expect(checkOfflineSpend({ ...base, snapshotExpired: true })).toEqual({ code: 'OFFLINE_SNAPSHOT_EXPIRED' });
  });
});
