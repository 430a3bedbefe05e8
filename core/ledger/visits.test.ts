/**
 * A visit-count tier basis (tiers.basis visits, 消费的次数) in the planners: every applied purchase adds one visit
 * (whatever paid it, offline or not), the member's visits feed the engine's ladder, and the refund of a purchase's
 * last line takes its visit back. Through the real ledger: hub/ledger/rules/visits-tier.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { RulesBundle } from '../rules/bundle.ts';
import { parseRulesBundle } from '../rules/parse.ts';
import { example } from '../rules/test-support/fixtures.ts';
import { planPurchase } from './plan-purchase.ts';
import { planRefund } from './plan-refund.ts';
import { cash, context, line, lot, member, points, purchaseTx, refundTx, staff, ulid } from './test-support/builders.ts';
import type { PurchaseRecord } from './types.ts';

const VISITS: RulesBundle = parseRulesBundle({ ...example('tiers-by-visits'), pointsPayment: { pointsPerYuan: 100, maxShare: '1', minPoints: 0 } });

describe('visits in planPurchase', () => {
  const buy = (visits: number | undefined, payments = [cash(100)], extra: { acceptedOffline?: true } = {}) =>
    planPurchase({ ...purchaseTx([line(1, 100)], payments, { id: ulid(701) }), ...extra }, context({ bundle: VISITS, member: member({ ...(visits === undefined ? {} : { visits }) }), lots: [lot('L1', 1_000, null)] }));

  it('the 10th purchase (9 before) lifts standard to silver, the 30th (29 before) to gold; the 9th does not', () => {
    expect(buy(8).memberChanges.tier).toBeUndefined();
    expect(buy(9).memberChanges.tier).toBe('silver');
    expect(buy(29).memberChanges.tier).toBe('gold');
  });

  it('a store that does not count visits gives none: the ladder reads 0 before the purchase', () => {
    expect(buy(undefined).memberChanges.tier).toBeUndefined();
  });

  it('every purchase adds one visit — paid in points only, or taken offline — and its record says so', () => {
    for (const effect of [buy(0), buy(0, [points(100)]), buy(0, [cash(100)], { acceptedOffline: true })]) {
      expect(effect.memberChanges.visitsDelta).toBe(1);
      expect(effect.purchaseRecord?.visitCounted).toBe(true);
    }
  });
});

describe('visits in planRefund', () => {
  const record = (overrides: Partial<PurchaseRecord> = {}): PurchaseRecord => ({
    txId: ulid(710),
    memberId: 'M1',
    lines: [
      { lineNo: 1, netCents: 100, points: 1 },
      { lineNo: 2, netCents: 100, points: 1 },
    ],
    totalCents: 200,
    tenders: { cashCents: 200, storedValueCents: 0, bonusValueCents: 0, pointsValueCents: 0, points: 0 },
    lotsConsumed: [],
    earnedLotId: null,
    refundedLineNos: [],
    visitCounted: true,
    ...overrides,
  });
  const refund = (purchase: PurchaseRecord, lineNos: number[]) =>
    planRefund(refundTx(purchase.txId, lineNos, { id: ulid(711) }), context({ bundle: VISITS, purchase, staff: staff(), lots: [lot('L1', 10, null)] }));

  it('refunding every line at once, or the last line after the others, takes the visit back', () => {
    expect(refund(record(), [1, 2]).memberChanges.visitsDelta).toBe(-1);
    expect(refund(record({ refundedLineNos: [1] }), [2]).memberChanges.visitsDelta).toBe(-1);
  });

  it('a partial refund, or one of a purchase recorded before visits counted, takes none', () => {
    expect(refund(record(), [1]).memberChanges.visitsDelta).toBeUndefined();
    const { visitCounted: _, ...older } = record();
    expect(refund(older, [1, 2]).memberChanges.visitsDelta).toBeUndefined();
  });
});
