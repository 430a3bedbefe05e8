/** The headline of a done transaction, by its kind: what the member did, in their words. */
import { points, t } from '../i18n/intl.ts';
import type { MessageId } from '../i18n/zh-CN.ts';

const TITLES: Partial<Record<string, MessageId>> = {
  purchase: 'result.title.purchase',
  top_up: 'result.title.top_up',
  redeem_gift: 'result.title.redeem_gift',
  punch_card_use: 'result.title.punch_card_use',
  card_report_loss: 'result.title.card_report_loss',
  card_cancel_loss: 'result.title.card_cancel_loss',
  card_freeze: 'result.title.card_freeze',
  card_unfreeze: 'result.title.card_unfreeze',
  card_replace: 'result.title.card_replace',
  card_return: 'result.title.card_return',
  card_issue: 'result.title.card_issue',
  code_redeem: 'result.title.code_redeem',
  draw_enter: 'result.title.draw_enter',
  refund: 'result.title.refund',
  credit_repay: 'result.title.credit_repay',
};

/** What the hub said a draw entry won or a code gave (the result's outcome), where the headline names it. */
export interface TitleOutcome {
  pointsEarned: number;
  draw?: { prize: { name: string } | null } | undefined;
}

export function resultTitle(kind: string, tier: string, outcome?: TitleOutcome | null): string {
  if (kind === 'tier_upgrade') return t('result.title.tier_upgrade', { tier });
  if (kind === 'draw_enter' && outcome?.draw) return outcome.draw.prize ? t('result.title.drawWon', { prize: outcome.draw.prize.name }) : t('result.title.drawNothing');
  if (kind === 'code_redeem' && outcome && outcome.pointsEarned > 0) return t('result.title.codePoints', { n: points(outcome.pointsEarned) });
  const id = TITLES[kind];
  return id ? t(id) : t('result.title.other');
}
