import { describe, expect, it } from 'vitest';
import { planManualBonus } from './plan-manual-bonus.ts';
import { bundleWithCardsAndBonus, context, expectCoded, HQ_SESSION_ID, lot, manualBonusTx, member, posted, staff, staffSession, ulid } from './test-support/builders.ts';

const bundle = bundleWithCardsAndBonus();
const hqAdmin = staff({ role: 'hq_admin', storeIds: ['*'] });
/** The HQ admin's login at the hub: HQ transactions are made as device 'hq'. */
const hqSession = staffSession({ deviceId: 'hq', sessionId: HQ_SESSION_ID });
const lots = [lot('OLD', 3_000, '2025-03-10T00:00:00.000Z'), lot('LATER', 2_000, '2025-12-31T00:00:00.000Z'), lot('GONE', 400, '2025-01-01T00:00:00.000Z')];

describe('manual bonus', () => {
  it('credits a positive bonus as a new lot expiring 365 days later, and counts it as earned in the result', () => {
    const tx = manualBonusTx(300, 'complaint', { id: ulid(7_001) });
    const effect = planManualBonus(tx, context({ bundle, staff: hqAdmin, staffSession: hqSession }));
    const lotId = `${ulid(7_001)}:bonus`;
    expect(effect.newLots).toEqual([{ lotId, earnedAt: tx.createdAt, expiresAt: '2026-03-01T02:00:00.000Z' }]);
    expect(effect.postings).toEqual([{ account: 'points', amount: 300, lotId }]);
    expect(effect.summary).toMatchObject({ pointsEarned: 300, pointsSpent: 0, trace: ['manual bonus (complaint): +300'] });
    // The default rules (format 2) count manual points towards tiers.
    expect(effect.memberChanges).toEqual({ cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 300 });
  });

  it('runs the upgrade check where manual points count: 900 + 300 → silver (from 1000); a format 1 bundle counts none', () => {
    const standard = member({ cumulativePointsEarned: 900 });
    const effect = planManualBonus(manualBonusTx(300, 'complaint'), context({ bundle, member: standard, staff: hqAdmin, staffSession: hqSession }));
    expect(effect.memberChanges).toEqual({ tier: 'silver', cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 300 });
    expect(effect.summary.trace).toEqual(['manual bonus (complaint): +300', 'standard → silver']);
    const { format: _format, ...formatOne } = bundle;
    const old = planManualBonus(manualBonusTx(300, 'complaint'), context({ bundle: formatOne, member: standard, staff: hqAdmin, staffSession: hqSession }));
    expect(old.memberChanges).toEqual({ cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 0 });
    const onlyPurchases = { ...bundle, tiers: { ...bundle.tiers!, countedSources: ['purchase' as const] } };
    expect(planManualBonus(manualBonusTx(300, 'complaint'), context({ bundle: onlyPurchases, member: standard, staff: hqAdmin, staffSession: hqSession })).memberChanges.cumulativePointsEarnedDelta).toBe(0);
  });

  it('a correction takes its points off the points figure where manual points count, never below 0, and never lowers the tier', () => {
    const silver = member({ tier: 'silver', cumulativePointsEarned: 1_200 });
    const effect = planManualBonus(manualBonusTx(-500, 'goodwill'), context({ bundle, member: silver, staff: hqAdmin, staffSession: hqSession, lots }));
    expect(effect.memberChanges).toEqual({ cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: -500 });
    const low = planManualBonus(manualBonusTx(-500, 'goodwill'), context({ bundle, member: member({ cumulativePointsEarned: 200 }), staff: hqAdmin, staffSession: hqSession, lots }));
    expect(low.memberChanges.cumulativePointsEarnedDelta).toBe(-200);
  });

  it('draws a negative correction from the soonest-expiring live lots (expired ones are skipped)', () => {
    const small = planManualBonus(manualBonusTx(-2_500, 'goodwill'), context({ bundle, staff: hqAdmin, staffSession: hqSession, lots }));
    expect(small.postings).toEqual([{ account: 'points', amount: -2_500, lotId: 'OLD' }]);
    const large = planManualBonus(manualBonusTx(-4_000, 'goodwill'), context({ bundle, staff: hqAdmin, staffSession: hqSession, lots }));
    expect(large.postings).toEqual([{ account: 'points', amount: -3_000, lotId: 'OLD' }, { account: 'points', amount: -1_000, lotId: 'LATER' }]);
    expect(posted(large, 'points')).toBe(-4_000);
    expect(large.summary).toMatchObject({ pointsEarned: 0, pointsSpent: 4_000 });
    // Over the bundle's 5000 limit a correction is refused like a credit; within it, 4999 live points (the
    // expired 400 do not count) cannot cover 5000.
    expectCoded(() => planManualBonus(manualBonusTx(-5_000 - 1, 'goodwill'), context({ bundle, staff: hqAdmin, staffSession: hqSession, lots })), 'MANUAL_BONUS_OVER_MAX');
    expectCoded(() => planManualBonus(manualBonusTx(-5_000, 'goodwill'), context({ bundle, staff: hqAdmin, staffSession: hqSession, lots: lots.map((l) => (l.lotId === 'LATER' ? { ...l, remaining: 1_999 } : l)) })), 'INSUFFICIENT_POINTS');
  });

  it('is refused from any device but hq, even with an hq_admin card', () => {
    expectCoded(() => planManualBonus(manualBonusTx(100, 'complaint', { deviceId: 'kiosk-1' }), context({ bundle, staff: hqAdmin, staffSession: hqSession })), 'TX_NOT_ALLOWED_FROM_DEVICE', { deviceId: 'kiosk-1' });
  });

  it('needs an hq_admin or region_manager staff card', () => {
    const region = staff({ role: 'region_manager', storeIds: ['*'] });
    expect(planManualBonus(manualBonusTx(100, 'birthday'), context({ bundle, staff: region, staffSession: hqSession })).summary.pointsEarned).toBe(100);
    expectCoded(() => planManualBonus(manualBonusTx(100, 'birthday'), context({ bundle, staff: staff({ role: 'store_manager', storeIds: ['*'] }), staffSession: hqSession })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planManualBonus(manualBonusTx(100, 'birthday'), context({ bundle, staff: staff({ role: 'cashier', storeIds: ['*'] }), staffSession: hqSession })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planManualBonus(manualBonusTx(100, 'birthday'), context({ bundle, staff: null, staffSession: hqSession })), 'STAFF_UNAUTHORIZED');
  });

  it('applies the bundle limits: reasons from the list, at most 5000, never zero', () => {
    expectCoded(() => planManualBonus(manualBonusTx(100, 'felt like it'), context({ bundle, staff: hqAdmin, staffSession: hqSession })), 'MANUAL_BONUS_REASON_NOT_ALLOWED', { reason: 'manual_bonus_reason' });
    expectCoded(() => planManualBonus(manualBonusTx(5_001, 'complaint'), context({ bundle, staff: hqAdmin, staffSession: hqSession })), 'MANUAL_BONUS_OVER_MAX', { reason: 'manual_bonus_over_max' });
    expect(planManualBonus(manualBonusTx(5_000, 'complaint'), context({ bundle, staff: hqAdmin, staffSession: hqSession })).summary.pointsEarned).toBe(5_000);
    expectCoded(() => planManualBonus(manualBonusTx(0, 'complaint'), context({ bundle, staff: hqAdmin, staffSession: hqSession })), 'AMOUNT_NOT_POSITIVE');
  });
});
