import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planPurchase } from './plan-purchase.ts';
import { planRedeemGift } from './plan-redeem-gift.ts';
import { planRefund } from './plan-refund.ts';
import { cash, expectCoded, gift, line, lot, MemberLedger, member, points, posted, purchaseTx, redeemTx, refundTx, staff, storedValue, ulid } from './test-support/builders.ts';
import type { LedgerEffect } from './types.ts';

describe('planRefund: one line, then the rest, gives every tender back to the cent', () => {
  // Member: principal 30.00, bonus 15.00; lots P1 2 000 (expires 2025-04-01), P2 5 000 (never).
  // Basket: line 1 30.00, line 2 50.00, line 3 20.01 = 100.01, paid cash 30.01 + stored value 40.00 + 3 000 points (30.00).
  // Stored value: principal 30.00 then bonus 10.00. Points: P1 2 000 then P2 1 000.
  // Points-paid 30.00 spread by net (largest remainder): 3000×3000/10001 = 899.9 → 899, 1499.8 → 1499, 600.2 → 600,
  // 2 cents left → lines 1 and 2 (largest remainders) → 900, 1 500, 600. Money part earns 1 pt/yuan:
  // 21.00 → 21, 35.00 → 35, 14.01 → 14 = 70 points.
  const purchaseId = ulid(201);
  const ledger = new MemberLedger({ storedValueCents: 3_000, bonusValueCents: 1_500 }, [lot('P1', 2_000, '2025-04-01T00:00:00.000Z'), lot('P2', 5_000, null)]);
  const bought = planPurchase(purchaseTx([line(1, 3_000), line(2, 5_000), line(3, 2_001)], [cash(3_001), storedValue(4_000), points(3_000)], { id: purchaseId }), ledger.contextFor());
  ledger.apply(bought);
  const earnLot = `${purchaseId}:earn`;

  it('the purchase is as worked out by hand', () => {
    expect(bought.purchaseRecord?.lines).toEqual([
      { lineNo: 1, netCents: 3_000, points: 21 },
      { lineNo: 2, netCents: 5_000, points: 35 },
      { lineNo: 3, netCents: 2_001, points: 14 },
    ]);
    expect(bought.purchaseRecord?.tenders).toEqual({ cashCents: 3_001, storedValueCents: 3_000, bonusValueCents: 1_000, pointsValueCents: 3_000, points: 3_000 });
    expect(bought.purchaseRecord?.lotsConsumed).toEqual([
      { lotId: 'P1', points: 2_000 },
      { lotId: 'P2', points: 1_000 },
    ]);
  });

  // Refund of line 2 (50.00 of 100.01): each tender's share is floor(tender × 5000 / 10001):
  // principal floor(1499.85) = 1 499, bonus floor(499.95) = 499, points floor(1499.85) = 1 499 (draw positions
  // 0..1498, all in P1), cash floor(1500.35) = 1 500. Earned 35 comes back out of the purchase's lot.
  const first = planRefund(refundTx(purchaseId, [2]), ledger.contextFor({ purchaseTxId: purchaseId }));

  it('refunds one line: its share of every tender, and its earned points', () => {
    expect(first.postings).toEqual([
      { account: 'stored_value', amount: 1_499 },
      { account: 'bonus_value', amount: 499 },
      { account: 'points', amount: 1_499, lotId: 'P1' },
      { account: 'points', amount: -35, lotId: earnLot },
    ]);
    // spend given back: money part only = 50.00 − 14.99 points value = 35.01
    expect(first.memberChanges).toEqual({ cumulativeSpendDeltaCents: -3_501, cumulativePointsEarnedDelta: -35 });
    expect(first.refundOf).toEqual({ purchaseTxId: purchaseId, lineNos: [2] });
    expect(first.summary).toMatchObject({ pointsEarned: -35, pointsSpent: -1_499, valueDeltaCents: 1_998 });
    expect(first.summary.trace.join(' ')).toContain('cash 1500');
  });

  it('refunds the rest: what all lines owe minus what the first refund gave', () => {
    ledger.apply(first);
    // principal 3 000 − 1 499 = 1 501; bonus 1 000 − 499 = 501; points 3 000 − 1 499 = 1 501 = P1 2 000 − 1 499 = 501
    // then P2 1 000; cash 3 001 − 1 500 = 1 501; earned 21 + 14 = 35.
    const rest = planRefund(refundTx(purchaseId, [3, 1]), ledger.contextFor({ purchaseTxId: purchaseId }));
    expect(rest.postings).toEqual([
      { account: 'stored_value', amount: 1_501 },
      { account: 'bonus_value', amount: 501 },
      { account: 'points', amount: 501, lotId: 'P1' },
      { account: 'points', amount: 1_000, lotId: 'P2' },
      { account: 'points', amount: -35, lotId: earnLot },
    ]);
    // 100.01 − 50.00 = 50.01 refunded, of which 30.00 − 14.99 = 15.01 was points: −(50.01 − 15.01) = −35.00
    expect(rest.memberChanges).toEqual({ cumulativeSpendDeltaCents: -3_500, cumulativePointsEarnedDelta: -35, visitsDelta: -1 });
    expect(rest.refundOf).toEqual({ purchaseTxId: purchaseId, lineNos: [1, 3] });
    expect(rest.summary.trace.join(' ')).toContain('cash 1501');
    ledger.apply(rest);

    // Everything is back where it was before the purchase.
    expect(ledger.balances).toEqual({ stored_value: 3_000, bonus_value: 1_500, points: 7_000, shortfall_value: 0, shortfall_points: 0, credit: 0 });
    expect([ledger.lotRemaining('P1'), ledger.lotRemaining('P2'), ledger.lotRemaining(earnLot)]).toEqual([2_000, 5_000, 0]);
    expect(ledger.state.cumulativeSpendCents).toBe(0);
    expect(ledger.state.cumulativePointsEarned).toBe(0);
  });

  it('refuses a line refunded twice, a line named twice, and a line not in the purchase', () => {
    const ctx = ledger.contextFor({ purchaseTxId: purchaseId });
    expectCoded(() => planRefund(refundTx(purchaseId, [2]), ctx), 'REFUND_BAD_LINES', { refundedLineNos: [2, 1, 3] });
    const fresh = new MemberLedger();
    const p = planPurchase(purchaseTx([line(1, 100), line(2, 200)], [cash(300)], { id: ulid(202) }), fresh.contextFor());
    fresh.apply(p);
    expectCoded(() => planRefund(refundTx(ulid(202), [1, 1]), fresh.contextFor({ purchaseTxId: ulid(202) })), 'REFUND_BAD_LINES');
    expectCoded(() => planRefund(refundTx(ulid(202), [3]), fresh.contextFor({ purchaseTxId: ulid(202) })), 'REFUND_BAD_LINES');
    expectCoded(() => planRefund(refundTx(ulid(202), [1, 3]), fresh.contextFor({ purchaseTxId: ulid(202) })), 'REFUND_BAD_LINES');
  });
});

describe('planRefund: refusals', () => {
  const ledger = new MemberLedger();
  const id = ulid(210);
  ledger.apply(planPurchase(purchaseTx([line(1, 1_000)], [cash(1_000)], { id }), ledger.contextFor()));

  it('REFUND_UNKNOWN_PURCHASE for no purchase or another member’s', () => {
    expectCoded(() => planRefund(refundTx(id, [1]), ledger.contextFor()), 'REFUND_UNKNOWN_PURCHASE');
    const other = ledger.contextFor({ purchaseTxId: id });
    expectCoded(() => planRefund(refundTx(id, [1]), { ...other, member: member({ memberId: 'M2' }) }), 'REFUND_UNKNOWN_PURCHASE');
  });

  it('STAFF_UNAUTHORIZED without a manager of this store', () => {
    const ctx = (s: ReturnType<typeof staff> | null) => ledger.contextFor({ purchaseTxId: id, staff: s });
    expectCoded(() => planRefund(refundTx(id, [1]), ctx(null)), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planRefund(refundTx(id, [1]), ctx(staff({ role: 'cashier' }))), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planRefund(refundTx(id, [1]), ctx(staff({ storeIds: ['S2'] }))), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planRefund(refundTx(id, [1]), ctx(staff({ active: false }))), 'STAFF_UNAUTHORIZED');
    // a region manager for every store may; 10.00 cash earned 10 points, taken back
    expect(posted(planRefund(refundTx(id, [1]), ctx(staff({ role: 'region_manager', storeIds: ['*'] }))), 'points')).toBe(-10);
  });
});

describe('planRefund: earned points come back from the purchase lot first, the rest is owed', () => {
  it('takes the named lot, then soonest-expiring lots, and posts what is missing to shortfall_points', () => {
    // Cash purchase 30.00 + 50.00 + 20.00 earns 30 + 50 + 20 = 100 into E. Other lots: X 5 (expires May), Y 8 (never).
    // E has since been spent down to 10. Refunding line 2 takes back 50: E 10, X 5, Y 8 = 23; 27 owed.
    const id = ulid(220);
    const ledger = new MemberLedger({}, [lot('Y', 8, null), lot('X', 5, '2025-05-01T00:00:00.000Z')]);
    ledger.apply(planPurchase(purchaseTx([line(1, 3_000), line(2, 5_000), line(3, 2_000)], [cash(10_000)], { id }), ledger.contextFor()));
    ledger.setLotRemaining(`${id}:earn`, 10);
    const refund = planRefund(refundTx(id, [2]), ledger.contextFor({ purchaseTxId: id }));
    expect(refund.postings).toEqual([
      { account: 'points', amount: -10, lotId: `${id}:earn` },
      { account: 'points', amount: -5, lotId: 'X' },
      { account: 'points', amount: -8, lotId: 'Y' },
      { account: 'shortfall_points', amount: 27 },
    ]);
    expect(refund.summary.pointsEarned).toBe(-50);
  });

  it('counts the points the same refund gives back before calling anything owed', () => {
    // P1 1 000 (only lot). Buy 30.00 with 1 000 points (10.00) + 20.00 cash: P1 → 0, earns 20 into E.
    // Redeem a 20-point gift: E → 0. Refund the line: P1 gets its 1 000 back, and the 20 earned points come out of
    // them (the member has them), so P1 ends at 980 and nothing is owed: 1 000 − 20 (the gift) = 980.
    const id = ulid(230);
    const ledger = new MemberLedger({}, [lot('P1', 1_000, '2025-04-01T00:00:00.000Z')]);
    ledger.apply(planPurchase(purchaseTx([line(1, 3_000)], [points(1_000), cash(2_000)], { id }), ledger.contextFor()));
    expect(ledger.lotRemaining(`${id}:earn`)).toBe(20);
    ledger.apply(planRedeemGift(redeemTx('G20', 1), ledger.contextFor({ gift: gift({ sku: 'G20', pointsPrice: 20 }) })));
    expect(ledger.lotRemaining(`${id}:earn`)).toBe(0);

    const refund = planRefund(refundTx(id, [1]), ledger.contextFor({ purchaseTxId: id }));
    expect(posted(refund, 'shortfall_points')).toBe(0);
    expect(refund.postings).toEqual([
      { account: 'points', amount: 1_000, lotId: 'P1' },
      { account: 'points', amount: -20, lotId: 'P1' },
    ]);
    ledger.apply(refund);
    expect(ledger.lotRemaining('P1')).toBe(980);
    expect(ledger.balances.points).toBe(980);
  });
});

describe('planRefund property: successive refunds return exactly every tender and every point, never more', () => {
  const basket = fc.array(fc.record({ unitPriceCents: fc.integer({ min: 1, max: 30_000 }), qty: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 6 });
  const lotsArb = fc.array(
    fc.record({ remaining: fc.integer({ min: 0, max: 20_000 }), expiresAt: fc.constantFrom(null, '2025-03-20T00:00:00.000Z', '2025-08-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z') }),
    { maxLength: 4 },
  );
  const scenario = fc.record({
    lines: basket,
    lots: lotsArb,
    tier: fc.constantFrom('standard', 'silver', 'gold', 'diamond'),
    pointsPick: fc.double({ min: 0, max: 1, noNaN: true }),
    valuePick: fc.double({ min: 0, max: 1, noNaN: true }),
    principal: fc.integer({ min: 0, max: 50_000 }),
    bonus: fc.integer({ min: 0, max: 20_000 }),
    groups: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }),
    groupOrder: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
  });

  it('holds for random baskets, tenders and splits', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const lots = s.lots.map((l, i) => lot(`L${i}`, l.remaining, l.expiresAt));
        const spendable = lots.reduce((sum, l) => sum + l.remaining, 0);
        const lines = s.lines.map((l, i) => line(i + 1, l.unitPriceCents, l.qty));
        const total = lines.reduce((sum, l) => sum + l.qty * l.unitPriceCents, 0);
        // Split the total (test-side choice of amounts, integers only): points ≤ spendable, then stored value, cash the rest.
        const pointsCents = Math.floor(Math.min(total, spendable) * s.pointsPick);
        const valueCents = Math.floor((total - pointsCents) * s.valuePick);
        const cashCents = total - pointsCents - valueCents;
        const payments = [...(pointsCents > 0 ? [points(pointsCents)] : []), ...(valueCents > 0 ? [storedValue(valueCents)] : []), ...(cashCents > 0 ? [cash(cashCents)] : [])];
        // Stored value never goes below zero (credit is its own tender): principal is raised to cover what bonus does not.
        const principal = Math.max(s.principal, valueCents - s.bonus);
        const ledger = new MemberLedger({ tier: s.tier, storedValueCents: principal, bonusValueCents: s.bonus }, lots);
        const id = ulid(300);
        const bought = planPurchase(purchaseTx(lines, payments, { id }), ledger.contextFor());
        ledger.apply(bought);
        const record = bought.purchaseRecord!;
        const earned = record.lines.reduce((sum, l) => sum + l.points, 0);
        expect(record.tenders.storedValueCents + record.tenders.bonusValueCents).toBe(valueCents);

        const refunds: LedgerEffect[] = [];
        for (const g of s.groupOrder) {
          const lineNos = lines.map((l) => l.lineNo).filter((n) => s.groups[n - 1] === g);
          if (lineNos.length === 0) continue;
          const refund = planRefund(refundTx(id, lineNos), ledger.contextFor({ purchaseTxId: id }));
          refunds.push(refund);
          ledger.apply(refund);
          // Never more than the tender, at any step; never negative.
          const sumSoFar = (account: 'stored_value' | 'bonus_value') => refunds.reduce((sum, r) => sum + posted(r, account), 0);
          expect(posted(refund, 'stored_value')).toBeGreaterThanOrEqual(0);
          expect(posted(refund, 'bonus_value')).toBeGreaterThanOrEqual(0);
          expect(sumSoFar('stored_value')).toBeLessThanOrEqual(record.tenders.storedValueCents);
          expect(sumSoFar('bonus_value')).toBeLessThanOrEqual(record.tenders.bonusValueCents);
          for (const used of record.lotsConsumed) {
            const back = refunds.reduce((sum, r) => sum + r.postings.filter((p) => p.lotId === used.lotId && p.amount > 0).reduce((a, p) => a + p.amount, 0), 0);
            expect(back).toBeLessThanOrEqual(used.points);
          }
        }

        // Exactly every tender back.
        expect(refunds.reduce((sum, r) => sum + posted(r, 'stored_value'), 0)).toBe(record.tenders.storedValueCents);
        expect(refunds.reduce((sum, r) => sum + posted(r, 'bonus_value'), 0)).toBe(record.tenders.bonusValueCents);
        const cashBack = refunds.reduce((sum, r) => sum + Number(/cash (\d+)/.exec(r.summary.trace.join(' '))?.[1] ?? NaN), 0);
        expect(cashBack).toBe(cashCents);
        expect(refunds.reduce((sum, r) => sum - r.summary.pointsSpent, 0)).toBe(pointsCents);
        expect(refunds.reduce((sum, r) => sum - r.summary.pointsEarned, 0)).toBe(earned);
        // Every point back to the lot it came from, the earned lot emptied, nothing owed: the books are as before.
        for (const l of lots) expect(ledger.lotRemaining(l.lotId)).toBe(l.remaining);
        if (record.earnedLotId !== null) expect(ledger.lotRemaining(record.earnedLotId)).toBe(0);
        expect(ledger.balances).toEqual({ stored_value: principal, bonus_value: s.bonus, points: spendable, shortfall_value: 0, shortfall_points: 0, credit: 0 });
        expect(ledger.state.cumulativeSpendCents).toBe(0);
        expect(ledger.state.cumulativePointsEarned).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});

