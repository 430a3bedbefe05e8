/**
 * The words the device adds to a receipt, per language: what kind of receipt it is (a purchase needs no
 * title: its lines say it) and whether the hub has confirmed it. The fixed labels (Store, Total...) belong to
 * the printer's layout (drivers/printer/receipt-labels.ts); these depend on the transaction, so they live here.
 */
import { shopperWords } from '../../core/errors/shopper-words.ts';
import type { TxKind } from '../../core/wire/transaction.ts';

export type ReceiptLanguage = 'zh' | 'en';

export interface ReceiptWording {
  titles: Record<Exclude<TxKind, 'purchase'>, string>;
  /** Transaction written on the kiosk, the hub not reached yet. */
  pending: string[];
  /** The hub refused it: nothing happened to the member's accounts. */
  refused: (code: string) => string[];
  topUpLine: (tender: string) => string;
  refundOf: (purchaseRef: string, lineNos: readonly number[]) => string;
  newCard: (maskedCard: string) => string;
  replacementFee: string;
  /** A fee of the fee schedule, by kind (issue, annual, repair, extend…). */
  fee: (feeKind: string) => string;
  /** The footer when neither HQ's configuration nor the kiosk's settings give one. */
  defaultFooter: string[];
  /** A discount the kiosk cannot attribute to a rule (the basket cost less than its lines, by this much). */
  discount: string;
  /** One visit on a count card for a service. */
  countCardVisit: (serviceId: string) => string;
}

/** How a top-up or a fee was paid at the counter, in the receipt's words (the transaction's tender names). */
const TENDERS: Record<ReceiptLanguage, Record<string, string>> = {
  zh: { cash: '现金', bank_card: '银行卡', mobile: '移动支付', stored_value: '储值', bank_transfer: '银行转账' },
  en: { cash: 'cash', bank_card: 'bank card', mobile: 'mobile', stored_value: 'stored value', bank_transfer: 'bank transfer' },
};

export const RECEIPT_WORDING: Record<ReceiptLanguage, ReceiptWording> = {
  en: {
    titles: {
      top_up: 'TOP-UP',
      redeem_gift: 'GIFT REDEMPTION',
      refund: 'REFUND',
      card_report_loss: 'CARD REPORTED LOST',
      card_cancel_loss: 'LOSS REPORT CANCELLED',
      card_freeze: 'CARD FROZEN',
      card_unfreeze: 'CARD UNFROZEN',
      card_replace: 'CARD REPLACED',
      card_return: 'CARD RETURNED',
      register_member: 'WELCOME, NEW MEMBER',
      tier_upgrade: 'TIER UPGRADE',
      punch_card_use: 'COUNT CARD VISIT',
      manual_bonus: 'BONUS POINTS',
      code_redeem: 'CODE REDEEMED',
      draw_enter: 'POINTS DRAW',
      card_issue: 'CARD ISSUED',
      card_service: 'CARD SERVICE',
      credit_repay: 'CREDIT REPAYMENT',
    },
    pending: ['PENDING', 'Not yet confirmed by the hub.', 'Points and balances follow.'],
    refused: (code) => ['NOT DONE', shopperWords(code, 'en').title, code],
    topUpLine: (tender) => `Top-up (${TENDERS.en[tender] ?? tender})`,
    refundOf: (ref, lineNos) => `Refund of ${ref}, lines ${lineNos.join(',')}`,
    newCard: (masked) => `New card ${masked}`,
    replacementFee: 'Replacement fee',
    fee: (feeKind) => ({ issue: 'Card issue fee', annual: 'Annual fee', repair: 'Card repair fee', extend: 'Validity extension fee', replace: 'Replacement fee', return: 'Card return fee' })[feeKind] ?? `Fee (${feeKind})`,
    defaultFooter: ['Thank you!'],
    discount: 'Discount',
    countCardVisit: (serviceId) => `${serviceId}: 1 visit`,
  },
  zh: {
    titles: {
      top_up: '充值',
      redeem_gift: '礼品兑换',
      refund: '退货',
      card_report_loss: '卡已挂失',
      card_cancel_loss: '已取消挂失',
      card_freeze: '卡已冻结',
      card_unfreeze: '卡已解冻',
      card_replace: '已补卡',
      card_return: '已退卡',
      register_member: '欢迎新会员',
      tier_upgrade: '会员升级',
      punch_card_use: '次卡消费',
      manual_bonus: '积分调整',
      code_redeem: '兑换码积分',
      draw_enter: '积分抽奖',
      card_issue: '办卡',
      card_service: '卡服务',
      credit_repay: '赊账还款',
    },
    pending: ['待确认', '总部尚未确认本笔交易', '积分与余额稍后更新'],
    // The shopper's words for the refusal, and the code under them for staff.
    refused: (code) => ['交易未完成', shopperWords(code, 'zh-CN').title, code],
    topUpLine: (tender) => `充值（${TENDERS.zh[tender] ?? tender}）`,
    refundOf: (ref, lineNos) => `退货 原单 ${ref} 行 ${lineNos.join(',')}`,
    newCard: (masked) => `新卡 ${masked}`,
    replacementFee: '补卡费',
    fee: (feeKind) => ({ issue: '办卡费', annual: '年费', repair: '修卡费', extend: '延期费', replace: '补卡费', return: '退卡手续费' })[feeKind] ?? `费用 (${feeKind})`,
    defaultFooter: ['谢谢惠顾，欢迎再次光临'],
    discount: '优惠',
    countCardVisit: (serviceId) => `${serviceId} 次卡使用1次`,
  },
};
