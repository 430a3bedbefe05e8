/** The fixed words on a receipt, per language. Header and footer come from the config bundle instead. */
export interface ReceiptLabels {
  store: string;
  device: string;
  time: string;
  transaction: string;
  member: string;
  card: string;
  total: string;
  payments: string;
  pointsEarned: string;
  balancesAfter: string;
  storedValue: string;
  bonusValue: string;
  points: string;
  pointsUnit: string;
  methods: Record<string, string>;
  subtotal: string;
  discounts: string;
  change: string;
  phone: string;
  /** Under the QR code: what it is for. */
  verifyHint: string;
  visitsUnit: string;
}

export const RECEIPT_LABELS: Record<'zh' | 'en', ReceiptLabels> = {
  zh: {
    store: '门店',
    device: '设备',
    time: '时间',
    transaction: '交易号',
    member: '会员',
    card: '卡号',
    total: '合计',
    payments: '支付',
    pointsEarned: '本次积分',
    balancesAfter: '交易后余额',
    storedValue: '储值余额',
    bonusValue: '赠送余额',
    points: '积分余额',
    pointsUnit: '分',
    methods: { cash: '现金', stored_value: '储值', bonus_value: '赠送余额', points: '积分抵扣', credit: '挂账', count_card: '次卡', owed: '待补扣', bank_card: '银行卡', mobile: '移动支付', bank_transfer: '银行转账' },
    subtotal: '小计',
    discounts: '优惠',
    change: '找零',
    phone: '电话',
    verifyHint: '扫码验证小票真伪',
    visitsUnit: '次',
  },
  en: {
    store: 'Store',
    device: 'Kiosk',
    time: 'Time',
    transaction: 'Tx',
    member: 'Member',
    card: 'Card',
    total: 'TOTAL',
    payments: 'Payments',
    pointsEarned: 'Points earned',
    balancesAfter: 'Balances after',
    storedValue: 'Stored value',
    bonusValue: 'Bonus value',
    points: 'Points',
    pointsUnit: 'pts',
    methods: { cash: 'Cash', stored_value: 'Stored value', bonus_value: 'Bonus value', points: 'Points', credit: 'Credit', count_card: 'Count card', owed: 'Owed', bank_card: 'Bank card', mobile: 'Mobile', bank_transfer: 'Bank transfer' },
    subtotal: 'Subtotal',
    discounts: 'Discounts',
    change: 'Change',
    phone: 'Tel',
    verifyHint: 'Scan to verify this receipt',
    visitsUnit: 'visit(s)',
  },
};
