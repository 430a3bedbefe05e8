/**
 * Commission items and their pricing, with the numbers of docs/ACCOUNTS.md's worked example ("Staff commission
 * (员工提成)"): 高级 earns 5 % of 美发 and ¥2 per 洗车, 1 % of top-ups; 普通 3 % of 美发 and ¥0.50 per count of
 * anything else. hub/commission/commission-doc.test.ts replays the same example through the ledger and the API.
 */
import { describe, expect, it } from 'vitest';
import type { CommissionSchedule } from '../rules/bundle-accounts.ts';
import { commissionItems, type CommissionItem } from './commission-items.ts';
import { commissionOf, computeCommission, shareOf } from './compute-commission.ts';

const SCHEDULE: CommissionSchedule = {
  levels: {
    高级: { 美发: { rate: '0.05' }, 洗车: { perCountCents: 200 }, top_up: { rate: '0.01' } },
    普通: { 美发: { rate: '0.03' }, '*': { perCountCents: 50 } },
  },
};
const LEVELS: Record<string, string> = { wang: '高级', li: '普通' };
const pricing = { levelOf: (staffId: string) => LEVELS[staffId] ?? null, scheduleOf: (version: number) => (version === 7 ? SCHEDULE : undefined) };
const at = { storeId: 'store-001', bundleVersion: 7 };

describe('commission items', () => {
  it('a served purchase: one item per line under its category, net cents and quantity', () => {
    expect(
      commissionItems({ source: 'purchase', staffId: 'wang', ...at, lines: [{ lineNo: 1, category: '美发', qty: 1, netCents: 12_800 }, { lineNo: 2, category: '洗车', qty: 3, netCents: 9_000 }] }),
    ).toEqual([
      { staffId: 'wang', ...at, code: '美发', amountCents: 12_800, count: 1 },
      { staffId: 'wang', ...at, code: '洗车', amountCents: 9_000, count: 3 },
    ]);
  });

  it('a refund takes only the refunded lines off the original seller', () => {
    const lines = [{ lineNo: 1, category: '美发', qty: 1, netCents: 6_800 }, { lineNo: 2, category: '洗车', qty: 1, netCents: 3_000 }];
    expect(commissionItems({ source: 'refund', staffId: 'wang', ...at, lines, refundedLineNos: [2] })).toEqual([{ staffId: 'wang', ...at, code: '洗车', amountCents: -3_000, count: -1 }]);
  });

  it('a staff transaction: its kind, the money paid in plus fees, one count; sweeps and manual work on points pay no amount', () => {
    expect(commissionItems({ source: 'staff', kind: 'top_up', staffId: 'wang', ...at, amountCents: 50_000, feeCents: 0 })).toEqual([{ staffId: 'wang', ...at, code: 'top_up', amountCents: 50_000, count: 1 }]);
    expect(commissionItems({ source: 'staff', kind: 'card_issue', staffId: 'wang', ...at, feeCents: 2_000 })).toEqual([{ staffId: 'wang', ...at, code: 'card_issue', amountCents: 2_000, count: 1 }]);
    // A card return's payout is money going out: only its return fee counts.
    expect(commissionItems({ source: 'staff', kind: 'card_return', staffId: 'wang', ...at, feeCents: 500 })[0]).toMatchObject({ amountCents: 500, count: 1 });
    expect(commissionItems({ source: 'staff', kind: 'refund', staffId: 'wang', ...at, feeCents: 0 })).toEqual([]);
    expect(commissionItems({ source: 'staff', kind: 'annual_fee', staffId: 'wang', ...at, feeCents: 10_000 })).toEqual([]);
  });
});

describe('computeCommission', () => {
  it("prices the docs example: 王芳 (高级) ¥20.80, 李强 (普通) ¥3.64", () => {
    const items: CommissionItem[] = [
      // 王芳: sale A (美发 ¥128, 洗车 3 × ¥30), sale B (美发 ¥68, 洗车 ¥30), a ¥500 top-up, sale B's 洗车 refunded.
      ...commissionItems({ source: 'purchase', staffId: 'wang', ...at, lines: [{ lineNo: 1, category: '美发', qty: 1, netCents: 12_800 }, { lineNo: 2, category: '洗车', qty: 3, netCents: 9_000 }] }),
      ...commissionItems({ source: 'purchase', staffId: 'wang', ...at, lines: [{ lineNo: 1, category: '美发', qty: 1, netCents: 6_800 }, { lineNo: 2, category: '洗车', qty: 1, netCents: 3_000 }] }),
      ...commissionItems({ source: 'staff', kind: 'top_up', staffId: 'wang', ...at, amountCents: 50_000, feeCents: 0 }),
      ...commissionItems({ source: 'refund', staffId: 'wang', ...at, lines: [{ lineNo: 1, category: '美发', qty: 1, netCents: 6_800 }, { lineNo: 2, category: '洗车', qty: 1, netCents: 3_000 }], refundedLineNos: [2] }),
      // 李强: sale C (美发 ¥88, 洗车 2 × ¥30).
      ...commissionItems({ source: 'purchase', staffId: 'li', ...at, lines: [{ lineNo: 1, category: '美发', qty: 1, netCents: 8_800 }, { lineNo: 2, category: '洗车', qty: 2, netCents: 6_000 }] }),
    ];
    expect(computeCommission(items, pricing)).toEqual([
      {
        staffId: 'li',
        level: '普通',
        codes: [
          { code: '洗车', amountCents: 6_000, count: 2, commissionCents: 100 },
          { code: '美发', amountCents: 8_800, count: 1, commissionCents: 264 },
        ],
        totalCents: 364,
      },
      {
        staffId: 'wang',
        level: '高级',
        codes: [
          { code: 'top_up', amountCents: 50_000, count: 1, commissionCents: 500 },
          { code: '洗车', amountCents: 9_000, count: 3, commissionCents: 600 },
          { code: '美发', amountCents: 19_600, count: 2, commissionCents: 980 },
        ],
        totalCents: 2_080,
      },
    ]);
  });

  it('takes the share of the period sum, once: ten ¥9.99 sales at 5 % pay ¥4.99', () => {
    const items = Array.from({ length: 10 }, () => ({ staffId: 'wang', ...at, code: '美发', amountCents: 999, count: 1 }));
    expect(computeCommission(items, pricing)[0]!.totalCents).toBe(499);
  });

  it('prices each rules version with its own schedule, and pays nothing without a level or a schedule', () => {
    const items: CommissionItem[] = [
      { staffId: 'wang', storeId: 'store-001', bundleVersion: 7, code: '美发', amountCents: 10_000, count: 1 },
      { staffId: 'wang', storeId: 'store-001', bundleVersion: 6, code: '美发', amountCents: 10_000, count: 1 },
      { staffId: 'nobody', storeId: 'store-001', bundleVersion: 7, code: '美发', amountCents: 10_000, count: 1 },
    ];
    expect(computeCommission(items, pricing)).toEqual([
      { staffId: 'nobody', level: null, codes: [{ code: '美发', amountCents: 10_000, count: 1, commissionCents: 0 }], totalCents: 0 },
      { staffId: 'wang', level: '高级', codes: [{ code: '美发', amountCents: 20_000, count: 2, commissionCents: 500 }], totalCents: 500 },
    ]);
  });

  it('a period of refunds only claws back, rounded toward zero', () => {
    expect(shareOf(-999, '0.05')).toBe(-49);
    expect(shareOf(999, '0.05')).toBe(49);
    expect(commissionOf({ rate: '0.05', perCountCents: 200 }, -3_000, -1)).toBe(-350);
    expect(commissionOf(undefined, 3_000, 1)).toBe(0);
  });
});
