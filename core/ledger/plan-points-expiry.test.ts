import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import type { HqOnlyTransactionOf } from '../wire/transaction.ts';
import { planHqOnlyTransaction } from './plan-hq-only-transaction.ts';
import { planExpirySweep, planPointsExpiry } from './plan-points-expiry.ts';
import { expectCoded, lot, member, ulid } from './test-support/builders.ts';

const AS_OF = '2025-06-01T00:00:00.000Z';

function expiryTx(o: { memberId?: string; asOf?: string; deviceId?: string } = {}): HqOnlyTransactionOf<'points_expiry'> {
  return {
    v: 2, id: ulid(9_001), deviceId: o.deviceId ?? 'hq', epoch: '', seq: 1, kind: 'points_expiry', createdAt: o.asOf ?? AS_OF, storeId: 'hq', bundleVersion: 1,
    memberId: o.memberId ?? 'M1', asOf: o.asOf ?? AS_OF,
  };
}

describe('points expiry sweep (planning)', () => {
  it('plans one transaction per member with a lot due, in member order, and none for lots not due or empty', () => {
    const due = [
      { lotId: 'B1', memberId: 'M2', remaining: 10, expiresAt: '2025-01-01T00:00:00.000Z' },
      { lotId: 'A1', memberId: 'M1', remaining: 5, expiresAt: '2025-02-01T00:00:00.000Z' },
      { lotId: 'B2', memberId: 'M2', remaining: 7, expiresAt: '2025-03-01T00:00:00.000Z' },
      { lotId: 'C1', memberId: 'M3', remaining: 0, expiresAt: '2025-03-01T00:00:00.000Z' },
      { lotId: 'D1', memberId: 'M4', remaining: 9, expiresAt: '2025-07-01T00:00:00.000Z' },
    ];
    expect(planExpirySweep(due, AS_OF)).toEqual([
      { kind: 'points_expiry', storeId: 'hq', memberId: 'M1', asOf: AS_OF },
      { kind: 'points_expiry', storeId: 'hq', memberId: 'M2', asOf: AS_OF },
    ]);
    expect(planExpirySweep([], AS_OF)).toEqual([]);
  });
});

describe('points expiry (applying one)', () => {
  const ctx = (lots: ReturnType<typeof lot>[]) => ({ member: member({ points: lots.reduce((s, l) => s + l.remaining, 0) }), lots, bundle: DEFAULT_RULES_BUNDLE });

  it('takes out every lot due with what it still holds, one posting per lot, soonest-expiring first', () => {
    const effect = planPointsExpiry(expiryTx(), ctx([lot('LATER', 300, '2025-05-01T00:00:00.000Z'), lot('SOON', 200, '2025-04-01T00:00:00.000Z'), lot('LIVE', 900, '2025-09-01T00:00:00.000Z'), lot('FOREVER', 50, null)]));
    expect(effect.postings).toEqual([
      { account: 'points', amount: -200, lotId: 'SOON' },
      { account: 'points', amount: -300, lotId: 'LATER' },
    ]);
    expect(effect.summary).toEqual({ pointsEarned: 0, pointsSpent: 500, valueDeltaCents: 0, trace: ['500 points expired'] });
    expect(effect.memberChanges).toEqual({ cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 0 });
  });

  it('refuses when nothing is due any more (an earlier sweep took it), so it is never applied twice', () => {
    expectCoded(() => planPointsExpiry(expiryTx(), ctx([lot('LIVE', 900, '2025-09-01T00:00:00.000Z'), lot('SWEPT', 0, '2025-01-01T00:00:00.000Z')])), 'POINTS_EXPIRY_NOTHING_DUE');
  });

  it('is made only by HQ: a kiosk is refused', () => {
    expectCoded(() => planHqOnlyTransaction(expiryTx({ deviceId: 'kiosk-1' }), ctx([lot('SOON', 200, '2025-04-01T00:00:00.000Z')])), 'TX_NOT_ALLOWED_FROM_DEVICE');
  });
});
