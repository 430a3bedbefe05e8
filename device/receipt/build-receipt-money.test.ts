/**
 * A purchase receipt's money block adds up — lines at shelf price − each discount = total = the tenders — whether
 * the hub confirmed it (its purchase record: principal and bonus value apart), it is still queued (the kiosk's own
 * pricing with the rules it holds), or the kiosk has no rules to explain the discount (one "优惠" line). And the
 * rest of what makes a Chinese receipt Chinese: catalogue names, the default thanks, a signed QR code whose total
 * is the printed total.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { OfferedItem } from '../../core/config/config-content.ts';
import { parseReceiptQr, signReceiptQr, verifyReceiptQr } from '../../core/receipt/receipt-qr.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { evaluatePurchase } from '../../core/rules/evaluate-purchase.ts';
import { shortTraceRows, traceLinesOf } from '../../core/rules/short-trace.ts';
import { withAmounts } from '../../core/rules/trace-text.ts';
import { txResultSchema, type TxResult } from '../../core/wire/result.ts';
import type { Transaction, TransactionOf } from '../../core/wire/transaction.ts';
import type { Receipt } from '../ports.ts';
import { buildReceipt, type ReceiptContext } from './build-receipt.ts';

const BUNDLE: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  rules: [
    ...DEFAULT_RULES_BUNDLE.rules,
    { kind: 'member_price', id: 'milk-member', prices: { MILK: 1_090 } },
    { kind: 'discount', id: 'gold-10', percentOffByTier: { gold: '10' } },
  ],
};
const ITEMS: OfferedItem[] = [{ sku: 'MILK', category: 'dairy', priceCents: 1_290, name: { 'zh-CN': '有机牛奶 1L', en: 'Organic milk 1L' } }];
const kioskKey = generateKeyPairSync('ed25519');

/** 2 × milk (member price 10.90, then gold 10% off) and a loaf not in the catalogue (gold 10% off): 27.27. */
const tx: TransactionOf<'purchase'> = {
  id: '01JD3Q7Z8X9Y0A1B2C3D4E5F6G',
  deviceId: 'kiosk-1',
  seq: 1,
  epoch: 'E1',
  kind: 'purchase',
  createdAt: '2026-12-01T13:05:09.000Z',
  clockOffsetMs: 1_000,
  storeId: 'store-001',
  bundleVersion: 1,
  cardUid: '04C1B2C3D4E5F6',
  lines: [
    { lineNo: 1, sku: 'MILK', category: 'dairy', qty: 2, unitPriceCents: 1_290 },
    { lineNo: 2, sku: 'BREAD', category: 'bakery', qty: 1, unitPriceCents: 850 },
  ],
  payments: [
    { method: 'points', points: 500 },
    { method: 'stored_value', amountCents: 2_227 },
  ],
};

const gold = { memberId: 'M0003', tier: 'gold' };

function context(overrides: Partial<ReceiptContext> = {}): ReceiptContext {
  return {
    header: ['会员自助服务'],
    footer: [],
    store: 'store-001',
    deviceId: 'kiosk-1',
    paperWidthMm: 58,
    language: 'zh',
    storeProfile: { name: '星河便利 静安店', address: '上海市静安区南京西路1号', phone: '021-6288 0000', timezone: 'Asia/Shanghai' },
    items: ITEMS,
    bundle: BUNDLE,
    signReceipt: (claim) => signReceiptQr(claim, kioskKey.privateKey),
    ...overrides,
  };
}

/** The hub's answer as plan-purchase and apply-received make it: keyed trace, the purchase record's tenders. */
function hubResult(tenders: { storedValueCents: number; bonusValueCents: number }): TxResult {
  const evaluation = evaluatePurchase(BUNDLE, { at: tx.createdAt, storeId: tx.storeId, member: { ...gold, cumulativeSpendCents: 0, cumulativePointsEarned: 0 }, lines: tx.lines, payments: tx.payments });
  const rows = shortTraceRows(evaluation);
  return txResultSchema.parse({
    id: tx.id,
    seq: 1,
    status: 'applied',
    recorded: true,
    outcome: {
      kind: 'purchase', memberId: 'M0003', cardUid: tx.cardUid, tier: 'gold',
      balances: { storedValueCents: 10_000, bonusValueCents: 0, points: 1_700 },
      pointsEarned: evaluation.pointsEarned, pointsSpent: 500, valueDeltaCents: -2_227,
      trace: rows.map((row) => withAmounts(row.label, row, 'en')),
      traceText: traceLinesOf(rows),
      purchase: { totalCents: evaluation.totalCents, tenders: { cashCents: 0, ...tenders, pointsValueCents: evaluation.pointsPayment?.valueCents ?? 0, points: 500 } },
    },
  });
}

/** Σ lines − Σ discounts, the total, Σ tenders: the three must be one number. */
function sums(receipt: Receipt): { lines: number; afterDiscounts: number; total: number; tenders: number } {
  const lines = receipt.lines.reduce((sum, l) => sum + l.totalCents, 0);
  const discounts = receipt.totals!.discounts.reduce((sum, d) => sum + d.cents, 0);
  return { lines, afterDiscounts: lines - discounts, total: receipt.totals!.totalCents, tenders: receipt.payments.reduce((sum, p) => sum + (p.amountCents ?? 0), 0) };
}

describe('a purchase receipt’s money', () => {
  it('prints the hub’s figures once confirmed: subtotal, each discount, total, principal, bonus and points at their value', () => {
    const receipt = buildReceipt({ tx, status: 'applied', result: hubResult({ storedValueCents: 2_000, bonusValueCents: 227 }), member: gold, context: context() });
    expect(receipt.totals).toEqual({ subtotalCents: 3_430, discounts: [{ label: '会员价', cents: 400 }, { label: '金卡优惠10%', cents: 303 }], totalCents: 2_727 });
    expect(receipt.payments).toEqual([
      { method: 'points', points: 500, amountCents: 500 },
      { method: 'stored_value', amountCents: 2_000 },
      { method: 'bonus_value', amountCents: 227 },
    ]);
    expect(sums(receipt)).toEqual({ lines: 3_430, afterDiscounts: 2_727, total: 2_727, tenders: 2_727 });
    // The discounts are in the money block; the reasons under the points are the points' own, in Chinese.
    expect(receipt.ruleTrace).toEqual(['每元1积分  +22积分', '金卡积分×1.5  +11积分']);
  });

  it('prices a queued purchase with the kiosk’s own rules, and keeps the pending notice', () => {
    const receipt = buildReceipt({ tx, status: 'queued', result: null, member: gold, context: context() });
    expect(receipt.notice).toEqual(['待确认', '总部尚未确认本笔交易', '积分与余额稍后更新']);
    expect(receipt.totals?.discounts.map((d) => d.label)).toEqual(['会员价', '金卡优惠10%']);
    expect(receipt.payments).toEqual([{ method: 'points', points: 500, amountCents: 500 }, { method: 'stored_value', amountCents: 2_227 }]);
    expect(sums(receipt)).toEqual({ lines: 3_430, afterDiscounts: 2_727, total: 2_727, tenders: 2_727 });
    expect(receipt.pointsEarned).toBeUndefined();
    expect(receipt.ruleTrace).toEqual([]);
  });

  it('still adds up when the kiosk holds no rules to explain the discount: one 优惠 line for the difference', () => {
    const paidInFull: TransactionOf<'purchase'> = { ...tx, payments: [{ method: 'stored_value', amountCents: 2_727 }] };
    const receipt = buildReceipt({ tx: paidInFull, status: 'queued', result: null, member: gold, context: context({ bundle: null }) });
    expect(receipt.totals?.discounts).toEqual([{ label: '优惠', cents: 703 }]);
    expect(sums(receipt)).toEqual({ lines: 3_430, afterDiscounts: 2_727, total: 2_727, tenders: 2_727 });
  });

  it('says that no change was given when cash was taken', () => {
    const cash: TransactionOf<'purchase'> = { ...tx, payments: [{ method: 'cash', amountCents: 2_727 }] };
    const receipt = buildReceipt({ tx: cash, status: 'queued', result: null, member: gold, context: context() });
    expect(receipt.changeCents).toBe(0);
    expect(sums(receipt).tenders).toBe(2_727);
  });
});

describe('a Chinese receipt’s words and its QR code', () => {
  it('names items from the catalogue (the SKU only for an item not in it), in the receipt’s language', () => {
    expect(buildReceipt({ tx, status: 'queued', member: gold, context: context() }).lines.map((l) => l.name)).toEqual(['有机牛奶 1L', 'BREAD']);
    expect(buildReceipt({ tx, status: 'queued', member: gold, context: context({ language: 'en' }) }).lines.map((l) => l.name)).toEqual(['Organic milk 1L', 'BREAD']);
  });

  it('heads with the store and HQ’s lines and ends with the language’s thanks when nobody set a footer', () => {
    const receipt = buildReceipt({ tx, status: 'queued', member: gold, context: context() });
    expect(receipt.storeProfile).toEqual({ name: '星河便利 静安店', address: '上海市静安区南京西路1号', phone: '021-6288 0000', timezone: 'Asia/Shanghai' });
    expect(receipt.header).toEqual(['会员自助服务']);
    expect(receipt.footer).toEqual(['谢谢惠顾，欢迎再次光临']);
    expect(buildReceipt({ tx, status: 'queued', member: gold, context: context({ language: 'en' }) }).footer).toEqual(['Thank you!']);
  });

  it('prints the transaction’s time as the hub dates it, and signs it with the printed total', () => {
    const receipt = buildReceipt({ tx, status: 'applied', result: hubResult({ storedValueCents: 2_227, bonusValueCents: 0 }), member: gold, context: context() });
    expect(receipt.at).toBe('2026-12-01T13:05:10.000Z');
    const parsed = parseReceiptQr(receipt.qr!);
    expect(verifyReceiptQr(parsed, kioskKey.publicKey)).toBe(true);
    expect(parsed.claim).toEqual({ txId: tx.id, deviceId: 'kiosk-1', storeId: 'store-001', at: '2026-12-01T13:05:10Z', totalCents: 2_727, cardMasked: '**********E5F6' });
  });

  it('signs the amount of a top-up, and prints no signed code without a key', () => {
    const topUp: Transaction = { ...tx, kind: 'top_up', amountCents: 10_000, tender: 'bank_card' } as unknown as Transaction;
    const receipt = buildReceipt({ tx: topUp, status: 'queued', context: context() });
    expect(receipt.lines[0]?.name).toBe('充值（银行卡）');
    expect(parseReceiptQr(receipt.qr!).claim.totalCents).toBe(10_000);
    expect(buildReceipt({ tx, status: 'queued', member: gold, context: context({ signReceipt: null }) }).qr).toBeUndefined();
  });
});
