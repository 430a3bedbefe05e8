/**
 * 积分返点 in the planners (core/ledger/points-rebate-run.ts): which credits run it, which balance and tier it
 * reads, and that a refund after a conversion keeps every lot whole (the lot invariant of lot-invariant.test.ts,
 * here under a rebate bundle). Through the real ledger with the docs' numbers: hub/ledger/rules/points-rebate.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from '../rules/bundle.ts';
import { parseRulesBundle } from '../rules/parse.ts';
import { example } from '../rules/test-support/fixtures.ts';
import type { Transaction, TransactionOf } from '../wire/transaction.ts';
import { planTransaction } from './plan-transaction.ts';
import type { PlanningContext } from './planning-context.ts';
import { cash, context, gift, HQ_SESSION_ID, staff, staffSession, line, lot, manualBonusTx, member, MemberLedger, points, posted, purchaseTx, refundTx, ulid } from './test-support/builders.ts';
import type { LedgerEffect } from './types.ts';

/** points-rebate.json with purchases not moving tiers, a points payment and manual bonuses. */
const VALUE: RulesBundle = parseRulesBundle({
  ...example('points-rebate'),
  tiers: { ...example('points-rebate').tiers!, countedSources: ['registration'] },
  pointsPayment: { pointsPerYuan: 100, maxShare: '1', minPoints: 0 },
  manualBonus: { maxPoints: 10_000, reasons: ['goodwill'] },
});
const GIFT: RulesBundle = parseRulesBundle({ ...example('points-rebate-gift'), tiers: { ...example('points-rebate-gift').tiers!, countedSources: ['registration'] } });
const AT = '2025-03-01T02:00:00.000Z';

function buy(yuan: number, ctx: Partial<PlanningContext>): LedgerEffect {
  return planTransaction(purchaseTx([line(1, yuan * 100)], [cash(yuan * 100)], { id: ulid(601) }), context({ bundle: VALUE, ...ctx }));
}

describe('withPointsRebate after a purchase', () => {
  it('a silver member with 4,000 points earning 1,000 converts 5,000 into 50.00, drawing the old lot first', () => {
    const effect = buy(1_000, { member: member({ tier: 'silver' }), lots: [lot('OLD', 4_000, '2025-06-01T00:00:00.000Z')] });
    expect(posted(effect, 'points', 'OLD')).toBe(-4_000);
    expect(posted(effect, 'points', `${ulid(601)}:earn`)).toBe(1_000 - 1_000);
    expect(posted(effect, 'bonus_value')).toBe(5_000);
    expect(effect.pointsRebate).toEqual({ points: 5_000, valueCents: 5_000, gifts: [] });
    expect(effect.summary).toMatchObject({ pointsEarned: 1_000, pointsSpent: 5_000, valueDeltaCents: 5_000 });
    expect(effect.summary.trace.at(-1)).toBe('points rebate 5000 pts × 0.01: -5000, bonus value +5000');
  });

  it('expired lots do not count towards the threshold, and are not drawn', () => {
    const effect = buy(1_000, { member: member({ tier: 'silver' }), lots: [lot('GONE', 4_000, '2025-01-01T00:00:00.000Z')] });
    expect(effect.pointsRebate).toBeUndefined();
    expect(posted(effect, 'bonus_value')).toBe(0);
  });

  it('the tier after the purchase picks the ratio: a purchase that lifts the member converts at the new tier', () => {
    const lifting = parseRulesBundle({ ...example('points-rebate') });
    const effect = planTransaction(purchaseTx([line(1, 500_000)], [cash(500_000)], { id: ulid(602) }), context({ bundle: lifting }));
    expect(effect.memberChanges.tier).toBe('gold');
    expect(posted(effect, 'bonus_value')).toBe(6_000);
  });

  it('a purchase that only spends points credits nothing, so converts nothing, though the balance stays above the threshold', () => {
    const noEarn = parseRulesBundle({ ...VALUE, pointsPayment: { pointsPerYuan: 100, maxShare: '1', minPoints: 0, earnsPoints: false } });
    const effect = planTransaction(purchaseTx([line(1, 100)], [points(100)], { id: ulid(603) }), context({ bundle: noEarn, lots: [lot('L', 9_000, null)] }));
    expect(effect.pointsRebate).toBeUndefined();
  });
});

describe('withPointsRebate after other credits', () => {
  const bonus = (pts: number, lots = [lot('L', 4_500, null)]) =>
    planTransaction(manualBonusTx(pts, 'goodwill', { id: ulid(611) }), context({ bundle: VALUE, lots, member: member({ tier: 'gold' }), staff: staff({ role: 'hq_admin', storeIds: ['*'] }), staffSession: staffSession({ deviceId: 'hq', sessionId: HQ_SESSION_ID }) }));

  it('a manual bonus credit that reaches the threshold converts (gold: 5,000 × 0.012 = 60.00); a correction never does', () => {
    expect(bonus(500).pointsRebate).toEqual({ points: 5_000, valueCents: 6_000, gifts: [] });
    expect(bonus(-500, [lot('L', 9_000, null)]).pointsRebate).toBeUndefined();
  });

  it('a redemption code credit converts too', () => {
    const tx: TransactionOf<'code_redeem'> = { ...purchaseTx([], [], { id: ulid(612) }), kind: 'code_redeem', codeDigest: 'a'.repeat(64) } as unknown as TransactionOf<'code_redeem'>;
    const code = { codeHash: 'h', batchId: 'B', batchName: 'tea', sku: 'TEA', points: 1_000, expiresAt: '2100-01-01T00:00:00.000Z', usedByTxId: null, usedAt: null };
    const effect = planTransaction(tx, context({ bundle: VALUE, redemptionCode: code, lots: [lot('L', 4_000, null)] }));
    expect(effect.pointsRebate?.valueCents).toBe(5_000);
  });
});

describe('withPointsRebate with a gift reward', () => {
  const buyGift = (rebateGifts: PlanningContext['rebateGifts'], tier = 'standard') =>
    planTransaction(purchaseTx([line(1, 1_200_000)], [cash(1_200_000)], { id: ulid(621) }), context({ bundle: GIFT, member: member({ tier }), ...(rebateGifts ? { rebateGifts } : {}) }));

  it('takes the vouchers from the ledger’s stock: two ¥50 vouchers for 10,000 of 12,000 points', () => {
    const effect = buyGift([gift({ sku: 'voucher-50', pointsPrice: 5_000, stock: 100 })]);
    expect(effect.giftStockChanges).toEqual([{ sku: 'voucher-50', delta: -2 }]);
    expect(posted(effect, 'points')).toBe(12_000 - 10_000);
    expect(effect.pointsRebate).toEqual({ points: 10_000, valueCents: 0, gifts: [{ sku: 'voucher-50', qty: 2 }] });
  });

  it('limited by the ledger’s stock; a gift the ledger does not hold (or no stock read) converts nothing', () => {
    expect(buyGift([gift({ sku: 'voucher-50', stock: 1 })]).giftStockChanges).toEqual([{ sku: 'voucher-50', delta: -1 }]);
    expect(buyGift([gift({ sku: 'voucher-50', stock: 100 })], 'gold').pointsRebate).toBeUndefined();
    expect(buyGift(undefined).pointsRebate).toBeUndefined();
  });
});

type Op = { kind: 'purchase'; yuan: number[]; pointsShare: number } | { kind: 'refund'; pick: number; lineMask: number } | { kind: 'gift'; qty: number };

describe('the lot invariant under a rebate bundle: conversions, then refunds of the purchases that triggered them', () => {
  it('postings name known lots, no lot goes negative, the points account is the sum of the lots', () => {
    let conversions = 0;
    let refundsAfterConversion = 0;
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('purchase' as const), yuan: fc.array(fc.integer({ min: 1, max: 3_000 }), { minLength: 1, maxLength: 3 }), pointsShare: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), lineMask: fc.integer({ min: 1, max: 7 }) }),
      fc.record({ kind: fc.constant('gift' as const), qty: fc.integer({ min: 1, max: 2 }) }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 20 }), (ops) => {
        const ledger = new MemberLedger({ tier: 'silver' }, [lot('OLD', 3_000, '2025-03-10T00:00:00.000Z'), lot('EXPIRED', 500, '2025-01-01T00:00:00.000Z')]);
        const converted = new Set<string>();
        let n = 0;
        for (const op of ops) {
          n += 1;
          const at = new Date(Date.parse(AT) + n * 86_400_000).toISOString();
          let tx: Transaction;
          let extra: Partial<PlanningContext> & { purchaseTxId?: string } = { bundle: VALUE };
          if (op.kind === 'purchase') {
            const total = op.yuan.reduce((s, y) => s + y * 100, 0);
            const pts = Math.floor((Math.min(total, ledger.balances.points) * op.pointsShare) / 100);
            tx = purchaseTx(op.yuan.map((y, i) => line(i + 1, y * 100)), [...(pts > 0 ? [points(pts)] : []), ...(total - pts > 0 ? [cash(total - pts)] : [])], { id: ulid(5_000 + n), at });
          } else if (op.kind === 'refund') {
            const open = [...ledger.purchases.values()].filter((p) => p.refundedLineNos.length < p.lines.length);
            const target = open[op.pick % Math.max(open.length, 1)];
            if (!target) continue;
            const left = target.lines.map((l) => l.lineNo).filter((no) => !target.refundedLineNos.includes(no));
            const chosen = left.filter((no) => (op.lineMask & (1 << (no - 1))) !== 0);
            tx = refundTx(target.txId, chosen.length > 0 ? chosen : left, { at });
            extra = { ...extra, purchaseTxId: target.txId };
            if (converted.has(target.txId)) refundsAfterConversion += 1;
          } else {
            tx = { ...purchaseTx([], [], { at }), kind: 'redeem_gift', giftSku: 'G', qty: op.qty } as unknown as Transaction;
            extra = { ...extra, gift: gift({ sku: 'G', pointsPrice: 700, stock: 10 }) };
          }
          let effect: LedgerEffect;
          try {
            effect = planTransaction(tx, ledger.contextFor(extra));
          } catch (error) {
            if (isCodedError(error)) continue;
            throw error;
          }
          if (effect.pointsRebate) {
            conversions += 1;
            converted.add(tx.id);
          }
          const known = ledger.knownLotIds(effect);
          for (const p of effect.postings) if (p.lotId !== undefined) expect(known.has(p.lotId), `posting names unknown lot ${p.lotId}`).toBe(true);
          ledger.apply(effect);
          for (const l of ledger.lots.values()) expect(l.remaining, `lot ${l.lotId}`).toBeGreaterThanOrEqual(0);
          expect(ledger.balances.points).toBe([...ledger.lots.values()].reduce((s, l) => s + l.remaining, 0));
        }
      }),
      { numRuns: 300 },
    );
    // The runs really converted, and really refunded purchases that had converted.
    expect(conversions).toBeGreaterThan(0);
    expect(refundsAfterConversion).toBeGreaterThan(0);
  });
});
