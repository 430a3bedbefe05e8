import { describe, expect, it } from 'vitest';
import { planPurchase } from './plan-purchase.ts';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import { AT, card, cash, context, expectCoded, line, lot, member, points, posted, purchaseTx, STAFF_ID, STAFF_SESSION_ID, staff, staffSession, storedValue, ulid } from './test-support/builders.ts';

// Default bundle: 1 point per yuan on the net price, the purchase's total floored once and shared over the lines by
// largest remainder (format 2); silver ×1.2, gold ×1.5, diamond ×2;
// 100 points = 1 yuan; the part paid with points earns nothing; points expire 365 days after earning.
const EXPIRES = '2026-03-01T02:00:00.000Z'; // AT 2025-03-01T02:00Z + 365 days (no 29 Feb in between)

describe('planPurchase: cash', () => {
  const id = ulid(101);
  // line 1: 2 × 19.99 = 3 998 cents → 39.98 pts; line 2: 50.50 → 50.5. 90.48 → 90 points: 39 + 50 whole, the point
  // left over to line 1 (the larger fraction, .98). Total 9 048 cents.
  const tx = purchaseTx([line(1, 1_999, 2), line(2, 5_050)], [cash(9_048)], { id });
  const effect = planPurchase(tx, context());

  it('earns points per line into one new lot that expires a year later', () => {
    expect(effect.newLots).toEqual([{ lotId: `${id}:earn`, earnedAt: AT, expiresAt: EXPIRES }]);
    expect(effect.postings).toEqual([{ account: 'points', amount: 90, lotId: `${id}:earn` }]);
  });

  it('keeps the purchase record a refund needs', () => {
    expect(effect.purchaseRecord).toEqual({
      txId: id,
      memberId: 'M1',
      lines: [
        { lineNo: 1, netCents: 3_998, points: 40 },
        { lineNo: 2, netCents: 5_050, points: 50 },
      ],
      totalCents: 9_048,
      tenders: { cashCents: 9_048, storedValueCents: 0, bonusValueCents: 0, pointsValueCents: 0, points: 0 },
      lotsConsumed: [],
      earnedLotId: `${id}:earn`,
      refundedLineNos: [],
      visitCounted: true,
    });
  });

  it('adds the money spent and points earned to the member totals, no tier change below 1 000', () => {
    expect(effect.memberChanges).toEqual({ cumulativeSpendDeltaCents: 9_048, cumulativePointsEarnedDelta: 90, visitsDelta: 1 });
    expect(effect.summary).toMatchObject({ pointsEarned: 90, pointsSpent: 0, valueDeltaCents: 0 });
  });

  it('moves a member up a tier when the earned points cross the threshold', () => {
    // 990 earned + 100 (100.00 yuan at 1 pt) = 1 090 ≥ 1 000 → silver
    const up = planPurchase(purchaseTx([line(1, 10_000)], [cash(10_000)]), context({ member: member({ cumulativePointsEarned: 990 }) }));
    expect(up.memberChanges).toEqual({ tier: 'silver', cumulativeSpendDeltaCents: 10_000, cumulativePointsEarnedDelta: 100, visitsDelta: 1 });
  });
});

describe('planPurchase: points by tier, rounded once per purchase (format 2; format 1 floors each line)', () => {
  // line 1: 33.33 yuan; line 2: 10.01 yuan
  const earned = (tier: string, bundle = DEFAULT_RULES_BUNDLE) =>
    planPurchase(purchaseTx([line(1, 3_333), line(2, 1_001)], [cash(4_334)]), context({ bundle, member: member({ tier }) }));
  const { format: _format, ...formatOne } = DEFAULT_RULES_BUNDLE;

  it('standard ×1', () => {
    // floor(33.33) + floor(10.01) = 33 + 10
    expect(earned('standard').purchaseRecord?.lines.map((l) => l.points)).toEqual([33, 10]);
  });
  it('silver ×1.2', () => {
    // 39.996 + 12.012 = 52.008 → 52: 39 + 12 whole, the point left over to line 1 (.996)
    expect(earned('silver').purchaseRecord?.lines.map((l) => l.points)).toEqual([40, 12]);
    // format 1: floor(39.996) + floor(12.012) = 39 + 12
    expect(earned('silver', formatOne).purchaseRecord?.lines.map((l) => l.points)).toEqual([39, 12]);
  });
  it('gold ×1.5, the total floored once (not each line)', () => {
    // 33.33 × 1.5 = 49.995 and 10.01 × 1.5 = 15.015: 65.01 → 65, line 1 takes the point left over (.995 > .015)
    const effect = earned('gold');
    expect(effect.purchaseRecord?.lines.map((l) => l.points)).toEqual([50, 15]);
    expect(posted(effect, 'points')).toBe(65);
    expect(effect.memberChanges.cumulativePointsEarnedDelta).toBe(65);
    // format 1 floors each line: 49 + 15 = 64
    const old = earned('gold', formatOne);
    expect(old.purchaseRecord?.lines.map((l) => l.points)).toEqual([49, 15]);
    expect(posted(old, 'points')).toBe(64);
  });
  it('diamond ×2', () => {
    // 66.66 → 66; 20.02 → 20
    expect(earned('diamond').purchaseRecord?.lines.map((l) => l.points)).toEqual([66, 20]);
  });
});

describe('planPurchase: stored value', () => {
  it('draws principal then bonus value and records each tender', () => {
    // 60.00 from principal 50.00 + bonus 10.00 (of 20.00)
    const effect = planPurchase(purchaseTx([line(1, 6_000)], [storedValue(6_000)]), context({ member: member({ storedValueCents: 5_000, bonusValueCents: 2_000 }) }));
    expect(posted(effect, 'stored_value')).toBe(-5_000);
    expect(posted(effect, 'bonus_value')).toBe(-1_000);
    expect(posted(effect, 'points')).toBe(60); // 60 yuan × 1
    expect(effect.purchaseRecord?.tenders).toEqual({ cashCents: 0, storedValueCents: 5_000, bonusValueCents: 1_000, pointsValueCents: 0, points: 0 });
    expect(effect.summary.valueDeltaCents).toBe(-6_000);
  });

  it('splits a basket between cash and stored value', () => {
    // 100.00 = 30.00 cash + 70.00 stored value
    const effect = planPurchase(purchaseTx([line(1, 10_000)], [cash(3_000), storedValue(7_000)]), context({ member: member({ storedValueCents: 8_000 }) }));
    expect(effect.postings.filter((p) => p.account === 'stored_value')).toEqual([{ account: 'stored_value', amount: -7_000 }]);
    expect(effect.purchaseRecord?.tenders.cashCents).toBe(3_000);
    expect(posted(effect, 'points')).toBe(100);
  });

  it('refuses stored value beyond balance and credit', () => {
    expectCoded(() => planPurchase(purchaseTx([line(1, 6_000)], [storedValue(6_000)]), context({ member: member({ storedValueCents: 5_999 }) })), 'INSUFFICIENT_STORED_VALUE');
  });
});

describe('planPurchase: the hot path does not read the member\'s lots', () => {
  // A regular member holds a lot per purchase; the store reads them on demand (a getter), so a sale paid in money
  // must plan without touching them or every sale costs more as the member's history grows.
  const lotsThatMustNotBeRead = (): ReturnType<typeof context> => {
    const ctx = context();
    Object.defineProperty(ctx, 'lots', { get: () => { throw new Error('lots read for a sale paid in money'); } });
    return ctx;
  };

  it('plans a cash sale without reading the lots', () => {
    const effect = planPurchase(purchaseTx([line(1, 2_000)], [cash(2_000)]), lotsThatMustNotBeRead());
    expect(effect.postings).toEqual([{ account: 'points', amount: 20, lotId: expect.stringContaining(':earn') }]);
  });

  it('reads them for a sale paying with points (the balance and the draw need them)', () => {
    expect(() => planPurchase(purchaseTx([line(1, 10_000)], [points(2_500), cash(7_500)]), lotsThatMustNotBeRead())).toThrow('lots read for a sale paid in money');
  });
});

describe('planPurchase: points payment', () => {
  const id = ulid(102);
  const lots = [lot('P-NEVER', 3_000, null), lot('P-MAY', 1_000, '2025-05-01T00:00:00.000Z')];
  // 100.00 yuan = 2 500 points (25.00) + 75.00 cash; points from P-MAY 1 000 then P-NEVER 1 500.
  // Only the 75.00 paid with money earns: 75 points.
  const effect = planPurchase(purchaseTx([line(1, 10_000)], [points(2_500), cash(7_500)], { id }), context({ lots }));

  it('draws the soonest-expiring lots and records them', () => {
    expect(effect.postings.filter((p) => p.amount < 0)).toEqual([
      { account: 'points', amount: -1_000, lotId: 'P-MAY' },
      { account: 'points', amount: -1_500, lotId: 'P-NEVER' },
    ]);
    expect(effect.purchaseRecord?.lotsConsumed).toEqual([
      { lotId: 'P-MAY', points: 1_000 },
      { lotId: 'P-NEVER', points: 1_500 },
    ]);
    expect(effect.purchaseRecord?.tenders).toEqual({ cashCents: 7_500, storedValueCents: 0, bonusValueCents: 0, pointsValueCents: 2_500, points: 2_500 });
  });

  it('earns only on the money part, and counts only money as spend', () => {
    expect(effect.postings.filter((p) => p.amount > 0)).toEqual([{ account: 'points', amount: 75, lotId: `${id}:earn` }]);
    expect(effect.memberChanges).toEqual({ cumulativeSpendDeltaCents: 7_500, cumulativePointsEarnedDelta: 75, visitsDelta: 1 });
    expect(effect.summary).toMatchObject({ pointsEarned: 75, pointsSpent: 2_500 });
  });

  it('a basket paid wholly with points creates no lot', () => {
    const all = planPurchase(purchaseTx([line(1, 1_234)], [points(1_234)]), context({ lots }));
    expect(all.newLots).toEqual([]);
    expect(all.purchaseRecord?.earnedLotId).toBeNull();
    expect(posted(all, 'points')).toBe(-1_234);
  });

  it('refuses more points than the spendable lots hold', () => {
    // 4 000 spendable; 4 100 points pays 41.00 of 100.00
    expectCoded(() => planPurchase(purchaseTx([line(1, 10_000)], [points(4_100), cash(5_900)]), context({ lots })), 'INSUFFICIENT_POINTS', { needed: 4_100, available: 4_000 });
  });
});

describe('planPurchase: refusals', () => {
  const basket = () => purchaseTx([line(1, 1_000)], [cash(1_000)]);

  it('PAYMENT_MISMATCH when payments fall short or overpay', () => {
    expectCoded(() => planPurchase(purchaseTx([line(1, 1_000)], [cash(999)]), context()), 'PAYMENT_MISMATCH', { paidCents: 999, totalCents: 1_000 });
    expectCoded(() => planPurchase(purchaseTx([line(1, 1_000)], [cash(600), storedValue(401)]), context({ member: member({ storedValueCents: 10_000 }) })), 'PAYMENT_MISMATCH', {
      paidCents: 1_001,
      totalCents: 1_000,
    });
    // 500 points = 5.00, + 4.00 cash = 9.00 ≠ 10.00
    expectCoded(() => planPurchase(purchaseTx([line(1, 1_000)], [points(500), cash(400)]), context({ lots: [lot('L', 1_000, null)] })), 'PAYMENT_MISMATCH', {
      paidCents: 900,
      totalCents: 1_000,
    });
  });

  it.each([
    ['lost', 'CARD_LOST'],
    ['frozen', 'CARD_FROZEN'],
    ['cancelled', 'CARD_CANCELLED'],
    ['expired', 'CARD_EXPIRED'],
  ] as const)('a %s card → %s', (status, code) => {
    expectCoded(() => planPurchase(basket(), context({ card: card({ status }) })), code);
  });

  it('an active card outside its validity period → CARD_EXPIRED', () => {
    expectCoded(() => planPurchase(basket(), context({ card: card({ validUntil: '2025-03-01T01:59:59.999Z' }) })), 'CARD_EXPIRED');
    expectCoded(() => planPurchase(basket(), context({ card: card({ validFrom: '2025-03-01T02:00:00.001Z' }) })), 'CARD_EXPIRED');
    expect(planPurchase(basket(), context({ card: card({ validFrom: AT, validUntil: AT }) })).purchaseRecord?.totalCents).toBe(1_000);
  });
});

describe('planPurchase: the clerk who served (staff commission)', () => {
  const served = { staffId: STAFF_ID, sessionId: STAFF_SESSION_ID };
  const lapsed = staffSession({ expiresAt: '2025-03-01T01:00:00.000Z' }); // before AT: the session had ended

  it('records a verified clerk on the purchase record', () => {
    const effect = planPurchase({ ...purchaseTx([line(1, 1_000)], [cash(1_000)]), actor: served }, context({ staff: staff({ role: 'cashier' }) }));
    expect(effect.purchaseRecord?.servedBy).toBe(STAFF_ID);
  });

  it('refuses a sale made online under a lapsed session: the kiosk tells the clerk at once', () => {
    expectCoded(() => planPurchase({ ...purchaseTx([line(1, 1_000)], [cash(1_000)]), actor: served }, context({ staff: staff(), staffSession: lapsed })), 'STAFF_SESSION_EXPIRED');
  });

  it('applies a sale a kiosk took offline under a lapsed session, credited to nobody, and says so', () => {
    const effect = planPurchase({ ...purchaseTx([line(1, 1_000)], [cash(1_000)]), actor: served, acceptedOffline: true }, context({ staff: staff(), staffSession: lapsed }));
    expect(effect.purchaseRecord?.servedBy).toBeUndefined();
    expect(posted(effect, 'points')).toBe(10);
    expect(effect.summary.trace.at(-1)).toContain('not credited');
  });
});
