/** A transaction kind in words (消费, 充值…), for the member's history; a kind this screen does not know yet reads "其他". */
import { t } from './intl.ts';
import type { MessageId } from './zh-CN.ts';

const KINDS: Partial<Record<string, MessageId>> = {
  purchase: 'kind.purchase',
  top_up: 'kind.top_up',
  redeem_gift: 'kind.redeem_gift',
  refund: 'kind.refund',
  card_report_loss: 'kind.card_report_loss',
  card_cancel_loss: 'kind.card_cancel_loss',
  card_freeze: 'kind.card_freeze',
  card_unfreeze: 'kind.card_unfreeze',
  card_replace: 'kind.card_replace',
  card_return: 'kind.card_return',
  card_issue: 'kind.card_issue',
  card_service: 'kind.card_service',
  register_member: 'kind.register_member',
  tier_upgrade: 'kind.tier_upgrade',
  punch_card_use: 'kind.punch_card_use',
  manual_bonus: 'kind.manual_bonus',
  code_redeem: 'kind.code_redeem',
  draw_enter: 'kind.draw_enter',
  credit_repay: 'kind.credit_repay',
  points_expiry: 'kind.points_expiry',
  tier_review: 'kind.tier_review',
  annual_fee: 'kind.annual_fee',
  credit_charge: 'kind.credit_charge',
  member_import: 'kind.member_import',
};

export function kindName(kind: string): string {
  const id = KINDS[kind];
  return id ? t(id) : t('kind.other');
}
