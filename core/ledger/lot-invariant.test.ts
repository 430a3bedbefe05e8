import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCodedError } from '../errors/coded-error.ts';
import type { Transaction } from '../wire/transaction.ts';
import { planTransaction } from './plan-transaction.ts';
import { bundleWithDepositBonus, cash, gift, lifecycleTx, line, lot, MemberLedger, points, purchaseTx, redeemTx, refundTx, storedValue, topUpTx, ulid } from './test-support/builders.ts';
import type { LedgerEffect } from './types.ts';
import type { PlanningContext } from './planning-context.ts';

/**
 * Invariant over every planner: a points posting with a lotId names a lot the member has (any lot ever
 * created, including drained ones the context leaves out) or one the same effect creates in newLots. Also:
 * only `points` postings carry a lotId, no lot goes below zero, and the points account equals the sum of lots.
 */
function checkLotInvariant(ledger: MemberLedger, effect: LedgerEffect): void {
  const known = ledger.knownLotIds(effect);
  for (const p of effect.postings) {
    if (p.lotId === undefined) continue;
    expect(p.account).toBe('points');
    expect(known.has(p.lotId), `posting names unknown lot ${p.lotId}`).toBe(true);
  }
}

type Op =
  | { kind: 'purchase'; prices: number[]; pointsShare: number; valueShare: number }
  | { kind: 'top_up'; amount: number }
  | { kind: 'gift'; price: number; qty: number }
  | { kind: 'refund'; pick: number; lineMask: number }
  | { kind: 'lifecycle'; action: 'card_report_loss' | 'card_cancel_loss' | 'card_freeze' | 'card_unfreeze' | 'card_replace'; fee: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('purchase' as const), prices: fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 4 }), pointsShare: fc.integer({ min: 0, max: 100 }), valueShare: fc.integer({ min: 0, max: 100 }) }),
  fc.record({ kind: fc.constant('top_up' as const), amount: fc.integer({ min: 1, max: 120_000 }) }),
  fc.record({ kind: fc.constant('gift' as const), price: fc.integer({ min: 1, max: 3_000 }), qty: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), lineMask: fc.integer({ min: 1, max: 15 }) }),
  fc.record({
    kind: fc.constant('lifecycle' as const),
    action: fc.constantFrom('card_report_loss' as const, 'card_cancel_loss' as const, 'card_freeze' as const, 'card_unfreeze' as const, 'card_replace' as const),
    fee: fc.integer({ min: 0, max: 2_000 }),
  }),
);

describe('lot invariant over every planner', () => {
  it('every lotId posted exists or is created by the same effect; lots never go negative', () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), (ops) => {
        const ledger = new MemberLedger({ storedValueCents: 20_000, bonusValueCents: 1_000 }, [
          lot('OLD', 3_000, '2025-03-10T00:00:00.000Z'),
          lot('LATER', 2_000, '2025-12-31T00:00:00.000Z'),
          lot('EXPIRED', 500, '2025-01-01T00:00:00.000Z'),
        ]);
        let n = 0;
        for (const op of ops) {
          n += 1;
          const at = new Date(Date.parse('2025-03-01T02:00:00.000Z') + n * 86_400_000).toISOString();
          let tx: Transaction;
          let extra: Partial<PlanningContext> & { purchaseTxId?: string } = { bundle: bundleWithDepositBonus() };
          if (op.kind === 'purchase') {
            const lines = op.prices.map((price, i) => line(i + 1, price));
            const total = op.prices.reduce((s, p) => s + p, 0);
            const pts = Math.floor((Math.min(total, ledger.balances.points) * op.pointsShare) / 100);
            const value = Math.floor(((total - pts) * op.valueShare) / 100);
            const rest = total - pts - value;
            tx = purchaseTx(lines, [...(pts > 0 ? [points(pts)] : []), ...(value > 0 ? [storedValue(value)] : []), ...(rest > 0 ? [cash(rest)] : [])], { id: ulid(1_000 + n), at });
          } else if (op.kind === 'top_up') {
            tx = topUpTx(op.amount, { at });
          } else if (op.kind === 'gift') {
            tx = redeemTx('G', op.qty, { at });
            extra = { ...extra, gift: gift({ sku: 'G', pointsPrice: op.price, stock: 10 }) };
          } else if (op.kind === 'refund') {
            const open = [...ledger.purchases.values()].filter((p) => p.refundedLineNos.length < p.lines.length);
            const target = open[op.pick % Math.max(open.length, 1)];
            if (!target) continue;
            const lineNos = target.lines.map((l) => l.lineNo).filter((no) => !target.refundedLineNos.includes(no) && (op.lineMask & (1 << (no - 1))) !== 0);
            const chosen = lineNos.length > 0 ? lineNos : target.lines.map((l) => l.lineNo).filter((no) => !target.refundedLineNos.includes(no));
            tx = refundTx(target.txId, chosen, { at });
            extra = { ...extra, purchaseTxId: target.txId };
          } else {
            tx = lifecycleTx(op.action, { at, feeCents: op.fee, newCardUid: `C0${String(n).padStart(6, '0')}` });
          }
          let effect: LedgerEffect;
          try {
            effect = planTransaction(tx, ledger.contextFor(extra));
          } catch (error) {
            if (isCodedError(error)) continue; // a business refusal changes nothing
            throw error;
          }
          kinds.add(tx.kind.startsWith('card_') ? 'card' : tx.kind);
          checkLotInvariant(ledger, effect);
          ledger.apply(effect);
          for (const l of ledger.lots.values()) expect(l.remaining, `lot ${l.lotId}`).toBeGreaterThanOrEqual(0);
          expect(ledger.balances.points).toBe([...ledger.lots.values()].reduce((s, l) => s + l.remaining, 0));
        }
      }),
      { numRuns: 300 },
    );
    // The runs really went through every planner (planned and applied, not only refused).
    expect([...kinds].sort()).toEqual(['card', 'purchase', 'redeem_gift', 'refund', 'top_up']);
  });

  it('the checker itself rejects a posting to a lot nobody has', () => {
    const ledger = new MemberLedger({}, [lot('A', 10, null)]);
    const effect = planTransaction(purchaseTx([line(1, 1_000)], [cash(1_000)]), ledger.contextFor());
    expect(() => checkLotInvariant(ledger, effect)).not.toThrow();
    effect.postings.push({ account: 'points', amount: 1, lotId: 'NOBODY' });
    expect(() => checkLotInvariant(ledger, effect)).toThrow(/unknown lot NOBODY/);
  });
});
