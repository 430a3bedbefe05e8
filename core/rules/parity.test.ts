/**
 * The kiosk evaluates from its cached bundle (which came over the wire as JSON and was parsed), the hub from
 * its in-memory bundle. Over random baskets, tiers, stores and dates both must compute exactly the same.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareEvaluations } from './compare.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { parseRulesBundle } from './parse.ts';
import type { RulesBundle } from './bundle.ts';
import { hundredRuleBundle } from './test-support/hundred-rules.ts';
import { example } from './test-support/fixtures.ts';
import type { PaymentInput, PurchaseContext } from './types.ts';

const FROM = Date.parse('2024-01-01T00:00:00Z');
const TO = Date.parse('2026-12-31T23:59:59Z');

const lineArb = fc.record({
  sku: fc.constantFrom('P0', 'P1', 'P2', 'P3', 'P4', 'P5', 'P9', 'Q1', 'MILK-1L', 'NEW-1', 'TEA-500', 'WASH-10'),
  category: fc.constantFrom('A', 'B', 'VIP', 'CLEARANCE', 'C0', 'C1', 'C2', 'C3', 'C4', 'C7', 'dairy'),
  qty: fc.integer({ min: 1, max: 5 }),
  unitPriceCents: fc.integer({ min: 0, max: 300_000 }),
});

const contextArb = fc
  .record({
    at: fc.integer({ min: FROM, max: TO }).map((ms) => new Date(ms).toISOString()),
    storeId: fc.constantFrom('S1', 'S2', 'S-NEW', 'S9'),
    regionId: fc.option(fc.constantFrom('east', 'south', 'north'), { nil: undefined }),
    tier: fc.constantFrom('standard', 'silver', 'gold', 'diamond'),
    cumulativeSpendCents: fc.integer({ min: 0, max: 2_000_000 }),
    cumulativePointsEarned: fc.integer({ min: 0, max: 10_000 }),
    pointsEarnedToday: fc.integer({ min: 0, max: 9_000 }),
    referrerChain: fc.array(fc.constantFrom('A', 'B', 'C'), { maxLength: 3 }),
    lines: fc.array(lineArb, { minLength: 1, maxLength: 10 }),
    pointsShare: fc.integer({ min: 0, max: 60 }),
    storedValueShare: fc.integer({ min: 0, max: 100 }),
    eventIds: fc.array(fc.constantFrom('E1', 'E3', 'spring-fair-2025'), { maxLength: 2 }),
  })
  .map((r): PurchaseContext => {
    const lines = r.lines.map((l, i) => ({ lineNo: i + 1, ...l }));
    const gross = lines.reduce((s, l) => s + l.qty * l.unitPriceCents, 0);
    const points = Math.floor((gross * r.pointsShare) / 100 / 2) * 1; // some over the share, most within
    const payments: PaymentInput[] = [];
    if (points > 0) payments.push({ method: 'points', points });
    const storedValue = Math.floor(((gross - points) * r.storedValueShare) / 100);
    payments.push({ method: 'stored_value', amountCents: storedValue }, { method: 'cash', amountCents: Math.max(0, gross - points - storedValue) });
    const ctx: PurchaseContext = {
      at: r.at,
      storeId: r.storeId,
      member: {
        memberId: 'M',
        tier: r.tier,
        cumulativeSpendCents: r.cumulativeSpendCents,
        cumulativePointsEarned: r.cumulativePointsEarned,
        pointsEarnedToday: r.pointsEarnedToday,
        referrerChain: r.referrerChain,
      },
      lines,
      payments,
      eventIds: r.eventIds,
    };
    if (r.regionId !== undefined) ctx.regionId = r.regionId;
    return ctx;
  });

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

function outcome(bundle: RulesBundle, ctx: PurchaseContext): Outcome {
  try {
    return { ok: true, value: evaluatePurchase(bundle, ctx) };
  } catch (error) {
    const coded = error as { code?: string; message?: string };
    return { ok: false, error: `${coded.code}: ${coded.message}` };
  }
}

const hubBundles: [string, RulesBundle][] = [
  ['hundred rules', hundredRuleBundle()],
  ['combination', example('combination')],
  ['promotions', example('promotions')],
  ['discounts + member prices', example('discounts')],
  ['points payment', example('points-payment')],
  ['marginal bands', example('spend-bands-marginal')],
  ['referrals', example('bonuses-referral')],
];

describe('kiosk cached engine and hub agree exactly', () => {
  for (const [name, hubBundle] of hubBundles) {
    it(`${name}: random baskets, tiers, stores and dates`, () => {
      const deviceBundle = parseRulesBundle(JSON.parse(JSON.stringify(hubBundle)));
      expect(deviceBundle).not.toBe(hubBundle);
      fc.assert(
        fc.property(contextArb, (ctx) => {
          // The device's context also came over the wire.
          const deviceCtx = JSON.parse(JSON.stringify(ctx)) as PurchaseContext;
          const onDevice = outcome(deviceBundle, deviceCtx);
          const onHub = outcome(hubBundle, ctx);
          expect(compareEvaluations(onDevice, onHub)).toEqual({ agree: true, differences: [] });
          expect(onDevice).toStrictEqual(onHub);
        }),
        { numRuns: 300 },
      );
    });
  }
});
