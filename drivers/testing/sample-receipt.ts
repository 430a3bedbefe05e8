import type { Receipt } from '../printer/types.ts';

/**
 * A purchase receipt with every section filled, for printer tests, the demo and the screens' previews: the store's
 * profile at the top, a member-price discount, stored value and points paying the total (29.30 = 25.00 + 4.30).
 */
export function sampleReceipt(overrides: Partial<Receipt> = {}): Receipt {
  const zh = (overrides.language ?? 'zh') === 'zh';
  return {
    header: zh ? ['欢迎光临', '会员自助服务'] : ['Welcome', 'Member self-service'],
    footer: zh ? ['谢谢惠顾', '客服 400-000-0000'] : ['Thank you', 'Service 400-000-0000'],
    store: 'store-042',
    storeProfile: {
      name: zh ? '星河便利 静安店' : 'Xinghe Mart Jing An',
      address: zh ? '上海市静安区南京西路1号' : '1 West Nanjing Rd, Shanghai',
      phone: '021-6288 0000',
      timezone: 'Asia/Shanghai',
    },
    deviceId: 'KIOSK-0042',
    txId: '01JD3Q7Z8X9Y0A1B2C3D4E5F6G',
    at: '2026-11-22T11:04:32.000Z',
    cardNumberMasked: '******5678',
    memberName: zh ? '王小明' : 'Wang Xiaoming',
    lines: [
      { name: zh ? '有机牛奶 1L' : 'Organic milk 1L', qty: 2, unitPriceCents: 1290, totalCents: 2580 },
      { name: zh ? '全麦面包' : 'Wholemeal bread', qty: 1, unitPriceCents: 850, totalCents: 850 },
    ],
    totals: { subtotalCents: 3430, discounts: [{ label: zh ? '会员价' : 'member price', cents: 500 }], totalCents: 2930 },
    payments: [
      { method: 'stored_value', amountCents: 2500 },
      { method: 'points', amountCents: 430, points: 430 },
    ],
    pointsEarned: 34,
    ruleTrace: zh ? ['每元1积分  +34积分', '金卡积分×1.0'] : ['1 pt/yuan  +34 pts', 'gold ×1.0'],
    balancesAfter: { storedValueCents: 12000, bonusValueCents: 500, points: 1204 },
    paperWidthMm: 80,
    language: 'zh',
    ...overrides,
  };
}
