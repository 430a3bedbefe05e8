/**
 * The rule lines of a receipt in the kiosk's language: keyed lines the hub sent (outcome.traceText) print in
 * Chinese on a zh kiosk, an English kiosk prints the hub's English lines, and an outcome from an older hub (no
 * keys) prints as it came.
 */
import { describe, expect, it } from 'vitest';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { evaluatePurchase } from '../../core/rules/evaluate-purchase.ts';
import { shortTraceRows, traceLinesOf } from '../../core/rules/short-trace.ts';
import { withAmounts } from '../../core/rules/trace-text.ts';
import { example, line, purchase } from '../../core/rules/test-support/fixtures.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { txResultSchema } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import { layoutReceipt } from '../../drivers/printer/receipt-layout.ts';
import { buildReceipt, type ReceiptContext } from './build-receipt.ts';

const tx: Transaction = {
  id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  deviceId: 'kiosk-1',
  seq: 1,
  epoch: '',
  kind: 'purchase',
  createdAt: '2025-01-10T02:00:00.000Z',
  storeId: 'S1',
  bundleVersion: 1,
  cardUid: '04A1B2C3D4',
  lines: [{ lineNo: 1, sku: 'SKU-1', category: 'A', qty: 1, unitPriceCents: 10_000 }],
  payments: [{ method: 'cash', amountCents: 10_000 }],
};

/** The outcome the hub sends for a gold member's ¥100 under tier multipliers, built as plan-purchase builds it. */
function hubResult(withKeys: boolean, bundle: RulesBundle = example('tier-multipliers')): TxResult {
  const rows = shortTraceRows(evaluatePurchase(bundle, purchase([line(1, 100)], { tier: 'gold' })));
  const outcome = {
    kind: 'purchase',
    memberId: 'M1',
    cardUid: tx.cardUid,
    tier: 'gold',
    balances: { storedValueCents: 0, bonusValueCents: 0, points: 150 },
    pointsEarned: 150,
    pointsSpent: 0,
    valueDeltaCents: 0,
    trace: [...rows.map((row) => withAmounts(row.label, row, 'en')), 'served by S-7: not credited'],
    ...(withKeys ? { traceText: traceLinesOf(rows) } : {}),
  };
  // Through the wire schema, as the kiosk reads it.
  return txResultSchema.parse({ id: tx.id, seq: 1, status: 'applied', recorded: true, outcome });
}

const context = (language: 'zh' | 'en'): ReceiptContext => ({ header: [], footer: [], store: 'S1', deviceId: 'kiosk-1', paperWidthMm: 58, language });

describe('receipt rule lines', () => {
  it('prints the engine lines in Chinese on a zh kiosk, and lines it has no key for as the hub wrote them', () => {
    const receipt = buildReceipt({ tx, status: 'applied', result: hubResult(true), context: context('zh'), at: tx.createdAt });
    expect(receipt.ruleTrace).toEqual(['每元1积分  +100积分', '金卡积分×1.5  +50积分', 'served by S-7: not credited']);
    // And on paper, as the printer lays it out.
    const printed = layoutReceipt(receipt).blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : []));
    expect(printed.some((text) => text.includes('金卡积分×1.5  +50积分'))).toBe(true);
  });

  it('prints the shipped default bundle’s base rate in Chinese: it carries no English label of HQ’s', () => {
    const receipt = buildReceipt({ tx, status: 'applied', result: hubResult(true, DEFAULT_RULES_BUNDLE), context: context('zh'), at: tx.createdAt });
    expect(receipt.ruleTrace).toEqual(['每元1积分  +100积分', '金卡积分×1.5  +50积分', 'served by S-7: not credited']);
  });

  it('keeps the label of a rule HQ labelled and words its amounts in Chinese', () => {
    const labelled: RulesBundle = { ...DEFAULT_RULES_BUNDLE, rules: DEFAULT_RULES_BUNDLE.rules.map((r) => (r.id === 'base' ? { ...r, label: '基础积分' } : r)) };
    const receipt = buildReceipt({ tx, status: 'applied', result: hubResult(true, labelled), context: context('zh'), at: tx.createdAt });
    expect(receipt.ruleTrace[0]).toBe('基础积分  +100积分');
  });

  it('prints English on a kiosk set to English', () => {
    const receipt = buildReceipt({ tx, status: 'applied', result: hubResult(true), context: context('en'), at: tx.createdAt });
    expect(receipt.ruleTrace).toEqual(['1 pt/yuan  +100 pts', 'gold ×1.5  +50 pts', 'served by S-7: not credited']);
  });

  it('prints an older hub’s outcome (no keys) as it came', () => {
    const receipt = buildReceipt({ tx, status: 'applied', result: hubResult(false), context: context('zh'), at: tx.createdAt });
    expect(receipt.ruleTrace).toEqual(['1 pt/yuan  +100 pts', 'gold ×1.5  +50 pts', 'served by S-7: not credited']);
  });
});
