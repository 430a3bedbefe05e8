/**
 * The screen's words in English, the second language: the same ids as zh-CN.ts. The types make sure: each area in
 * messages/ has exactly the ids of its zh-CN file, and the whole has every MessageId.
 */
import type { MessageId } from './zh-CN.ts';
import { FRAME_EN } from './messages/frame.en.ts';
import { KEYS_EN } from './messages/keys.en.ts';
import { IDLE_EN } from './messages/idle.en.ts';
import { MEMBER_HOME_EN } from './messages/member-home.en.ts';
import { PAY_EN } from './messages/pay.en.ts';
import { RESULT_EN } from './messages/result.en.ts';
import { HISTORY_EN } from './messages/history.en.ts';
import { REWARDS_EN } from './messages/rewards.en.ts';
import { CODES_EN } from './messages/codes.en.ts';
import { PIN_AND_LOSS_EN } from './messages/pin-and-loss.en.ts';
import { REGISTER_EN } from './messages/register.en.ts';
import { STAFF_DESK_EN } from './messages/staff-desk.en.ts';
import { STAFF_CARDS_EN } from './messages/staff-cards.en.ts';
import { STAFF_MONEY_EN } from './messages/staff-money.en.ts';
import { TECHNICIAN_EN } from './messages/technician.en.ts';

export const EN: Record<MessageId, string> = {
  ...FRAME_EN,
  ...KEYS_EN,
  ...IDLE_EN,
  ...MEMBER_HOME_EN,
  ...PAY_EN,
  ...RESULT_EN,
  ...HISTORY_EN,
  ...REWARDS_EN,
  ...CODES_EN,
  ...PIN_AND_LOSS_EN,
  ...REGISTER_EN,
  ...STAFF_DESK_EN,
  ...STAFF_CARDS_EN,
  ...STAFF_MONEY_EN,
  ...TECHNICIAN_EN,
};
