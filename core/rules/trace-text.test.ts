/**
 * The trace renderer: a template in zh-CN and in English for every key (driven by TRACE_KEYS, so a key added
 * without its templates fails here), English that is the engine's label, and the fallbacks to the label.
 */
import { describe, expect, it } from 'vitest';
import type { RulesBundle } from './bundle.ts';
import { TRACE_KEYS, type TraceKey, type TraceLine, type TraceParams } from './trace-keys.ts';
import { localizeTrace, renderTrace, renderTraceText, traceLocale, traceText, withBothTexts } from './trace-text.ts';
import type { TraceEntry } from './types.ts';

/** Parameters as the engine writes them, one sample per key. */
const SAMPLES: Record<TraceKey, TraceParams> = {
  memberPrice: {},
  percentOff: { percent: '10' },
  tierPercentOff: { tier: 'gold', percent: '5' },
  earnRate: { rate: '1' },
  tierEarnRate: { tier: 'silver', rate: '1.2' },
  categoryEarnRate: { category: 'A', rate: '2' },
  spendBand: { basis: 'transaction', rate: '1.5' },
  spendBandMarginal: { basis: 'cumulative' },
  productExtraRate: { rate: '0.5' },
  productPerUnit: { points: 3 },
  multiplier: { factor: '2' },
  tierMultiplier: { tier: 'gold', factor: '1.5' },
  welcomeBonus: { points: 200 },
  eventBonus: { eventId: 'XMAS', points: 50 },
  referralAward: { level: 1, memberId: 'M-7' },
  depositBonus: {},
  depositRatio: { ratio: '0.1', capped: true, dailyCap: false },
  capPerTransaction: { cap: 5000 },
  capPerDay: { cap: 8000 },
  rounding: { mode: 'half_up' },
  purchaseRounding: { mode: 'ceil' },
  tierUpgrade: { tier: 'gold' },
  tierReview: { period: 'year', figure: 1500, tier: 'silver' },
  tierThreshold: { figure: 9000, tier: 'diamond' },
  tierCounted: { source: 'manual' },
  paidUpgrade: { from: 'silver', to: 'gold', points: 3000 },
  manualBonus: { reason: 'complaint' },
  giftRedeem: { qty: 2, giftId: 'mug', gift: 'Mug' },
  pointsRebateValue: { points: 5000, ratio: '0.01' },
  pointsRebateGift: { qty: 2, giftId: 'voucher', gift: 'Voucher' },
  timeCardUse: { serviceId: 'gym' },
  countCardUse: { serviceId: 'car-wash', left: 6 },
  refundLine: { lineNo: 2 },
  ruleLabel: { label: 'Double days' },
};
/** Keys whose sample renders the same in both languages (a number and HQ's gift name). */
const SAME_IN_BOTH: readonly TraceKey[] = ['giftRedeem', 'ruleLabel'];
const CJK = /[\u4e00-\u9fff]/;

describe('trace templates', () => {
  it.each([...TRACE_KEYS])('%s has a Chinese and an English template', (key) => {
    const params = SAMPLES[key];
    expect(params, `no sample for ${key}`).toBeDefined();
    const zh = renderTraceText({ key, params }, 'zh-CN');
    const en = renderTraceText({ key, params }, 'en');
    expect(zh).toMatch(/\S/);
    expect(en).toMatch(/\S/);
    expect(`${zh} ${en}`).not.toContain('undefined');
    expect(en).not.toMatch(CJK);
    if (!SAME_IN_BOTH.includes(key)) {
      expect(zh).toMatch(CJK);
      expect(zh).not.toBe(en);
    }
    // What the engine stores as `label` is the English rendering.
    expect(traceText(key, params).label).toBe(en);
  });

  it('keeps the labels the engine wrote before keys, word for word', () => {
    expect(traceText('tierUpgrade', { tier: 'gold' }).label).toBe('upgrade to gold');
    expect(traceText('manualBonus', { reason: 'complaint' }).label).toBe('manual: complaint');
    expect(traceText('countCardUse', { serviceId: 'car-wash', left: 6 }).label).toBe('car-wash visit, 6 left');
    expect(traceText('depositRatio', { name: '赠款', ratio: '0.15', capped: true, dailyCap: true }).label).toBe('赠款 ×0.15 (capped) (daily cap)');
    expect(traceText('spendBand', { basis: 'cumulative', rate: '2' }).label).toBe('cumulative band 2 pt/yuan');
    expect(traceText('categoryEarnRate', { category: 'A', rate: '2' }).label).toBe('class A 2 pt/yuan');
  });

  it('renders tier names in Chinese, and keeps tiers it has no name for as written', () => {
    expect(renderTraceText({ key: 'tierUpgrade', params: { tier: 'gold' } }, 'zh-CN')).toBe('升级为金卡');
    expect(renderTraceText({ key: 'tierMultiplier', params: { tier: 'diamond', factor: '2' } }, 'zh-CN')).toBe('钻石卡积分×2');
    expect(renderTraceText({ key: 'tierUpgrade', params: { tier: '星耀' } }, 'zh-CN')).toBe('升级为星耀');
  });
});

describe('renderTrace', () => {
  const bundle = { version: 1, rules: [], gifts: [{ giftId: 'mug', name: '马克杯', points: 1200 }] } as unknown as RulesBundle;

  it('renders keyed entries and shows HQ’s labels and stored records without keys as their label', () => {
    const entries: TraceEntry[] = [
      { ruleId: 'tiers', label: 'upgrade to gold', text: { key: 'tierUpgrade', params: { tier: 'gold' } } },
      { ruleId: 'xmas', label: '圣诞双倍积分', points: 30 },
      { ruleId: 'gifts.mug', label: '2 × Mug', text: { key: 'giftRedeem', params: { qty: 2, giftId: 'mug', gift: 'Mug' } } },
    ];
    expect(renderTrace(entries, 'zh-CN', bundle)).toEqual(['升级为金卡', '圣诞双倍积分', '2 × 马克杯']);
    expect(renderTrace(entries, 'en')).toEqual(['upgrade to gold', '圣诞双倍积分', '2 × Mug']);
  });

  it('gives an API both languages of each entry', () => {
    expect(withBothTexts([{ ruleId: 'tiers', label: 'upgrade to gold', text: { key: 'tierUpgrade', params: { tier: 'gold' } } }])).toEqual([
      { ruleId: 'tiers', label: 'upgrade to gold', text: { key: 'tierUpgrade', params: { tier: 'gold' } }, textZh: '升级为金卡', textEn: 'upgrade to gold' },
    ]);
  });

  it('shows a key it does not know (a newer hub’s) as the label', () => {
    expect(renderTraceText({ key: 'fromTheFuture', params: {} }, 'zh-CN')).toBeUndefined();
    expect(localizeTrace(['future text  +5 pts'], [{ at: 0, key: 'fromTheFuture', params: {}, points: 5 }], 'zh-CN')).toEqual(['future text  +5 pts']);
  });
});

describe('localizeTrace', () => {
  const trace = ['gold ×1.5  +50 pts', 'served by S-7: not credited', '10% off  -12.00'];
  const lines: TraceLine[] = [
    { at: 0, key: 'tierMultiplier', params: { tier: 'gold', factor: '1.5' }, points: 50 },
    { at: 2, key: 'percentOff', params: { percent: '10' }, cents: -1200 },
    { at: 9, key: 'percentOff', params: { percent: '10' } },
  ];

  it('renders the keyed lines in Chinese with their amounts and leaves the others in place', () => {
    expect(localizeTrace(trace, lines, 'zh-CN')).toEqual(['金卡积分×1.5  +50积分', 'served by S-7: not credited', '优惠10%  -¥12.00']);
  });

  it('keeps the stored English lines for English, and for an outcome without keys', () => {
    expect(localizeTrace(trace, lines, 'en')).toEqual(trace);
    expect(localizeTrace(trace, undefined, 'zh-CN')).toEqual(trace);
  });

  it('reads a screen’s language setting: Chinese unless it says English', () => {
    expect([traceLocale('zh-CN'), traceLocale('zh'), traceLocale(undefined), traceLocale('en-US'), traceLocale('en')]).toEqual(['zh-CN', 'zh-CN', 'zh-CN', 'en', 'en']);
  });
});
