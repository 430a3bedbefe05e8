import type { Receipt } from '../printer/types.ts';

/** A purchase receipt with every section filled, for printer tests, the demo and the screens' previews. */
export function sampleReceipt(overrides: Partial<Receipt> = {}): Receipt {
  const zh = (overrides.language ?? 'zh') === 'zh';
  return {
    header: zh ? ['欢迎光临 星河便利', '会员自助服务'] : ['Welcome to Xinghe Mart', 'Member self-service'],
    footer: zh ? ['谢谢惠顾', '客服 400-000-0000'] : ['Thank you', 'Service 400-000-0000'],
    store: zh ? '上海静安店' : 'Shanghai Jing An',
    deviceId: 'KIOSK-0042',
    txId: '01JD3Q7Z8X9Y0A1B2C3D4E5F6G',
    at: '2026-11-22T11:04:32.000Z',
    cardNumberMasked: '**** **** 5678',
    memberName: zh ? '王小明' : 'Wang Xiaoming',
    lines: [
      { name: zh ? '有机牛奶 1L' : 'Organic milk 1L', qty: 2, unitPriceCents: 1290, totalCents: 2580 },
      { name: zh ? '全麦面包' : 'Wholemeal bread', qty: 1, unitPriceCents: 850, totalCents: 850 },
    ],
    payments: [
      { method: 'stored_value', amountCents: 3000 },
      { method: 'points', amountCents: 430, points: 430 },
    ],
    pointsEarned: 34,
    ruleTrace: zh ? ['基础积分 1分/元: +34', '金卡倍率 x1.0'] : ['base 1 pt/yuan: +34', 'gold tier x1.0'],
    balancesAfter: { storedValueCents: 12000, bonusValueCents: 500, points: 1204 },
    paperWidthMm: 80,
    language: 'zh',
    ...overrides,
  };
}
