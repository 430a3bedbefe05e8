/**
 * The screen's words in zh-CN, the default language: ICU messages (FormatJS). Every id here must exist in en.ts
 * too (its type says so). Written for a shopper alone at the kiosk: short, plain, what to do next.
 *
 * The words live in messages/, one file per area of the screen with its English beside it; this file puts the
 * areas together into the one catalogue intl.ts and the screen tests read.
 */
import { FRAME_ZH_CN } from './messages/frame.zh-CN.ts';
import { KEYS_ZH_CN } from './messages/keys.zh-CN.ts';
import { IDLE_ZH_CN } from './messages/idle.zh-CN.ts';
import { MEMBER_HOME_ZH_CN } from './messages/member-home.zh-CN.ts';
import { PAY_ZH_CN } from './messages/pay.zh-CN.ts';
import { RESULT_ZH_CN } from './messages/result.zh-CN.ts';
import { HISTORY_ZH_CN } from './messages/history.zh-CN.ts';
import { REWARDS_ZH_CN } from './messages/rewards.zh-CN.ts';
import { CODES_ZH_CN } from './messages/codes.zh-CN.ts';
import { PIN_AND_LOSS_ZH_CN } from './messages/pin-and-loss.zh-CN.ts';
import { REGISTER_ZH_CN } from './messages/register.zh-CN.ts';
import { STAFF_DESK_ZH_CN } from './messages/staff-desk.zh-CN.ts';
import { STAFF_CARDS_ZH_CN } from './messages/staff-cards.zh-CN.ts';
import { STAFF_MONEY_ZH_CN } from './messages/staff-money.zh-CN.ts';
import { TECHNICIAN_ZH_CN } from './messages/technician.zh-CN.ts';

export const ZH_CN = {
  ...FRAME_ZH_CN,
  ...KEYS_ZH_CN,
  ...IDLE_ZH_CN,
  ...MEMBER_HOME_ZH_CN,
  ...PAY_ZH_CN,
  ...RESULT_ZH_CN,
  ...HISTORY_ZH_CN,
  ...REWARDS_ZH_CN,
  ...CODES_ZH_CN,
  ...PIN_AND_LOSS_ZH_CN,
  ...REGISTER_ZH_CN,
  ...STAFF_DESK_ZH_CN,
  ...STAFF_CARDS_ZH_CN,
  ...STAFF_MONEY_ZH_CN,
  ...TECHNICIAN_ZH_CN,
} as const;

export type MessageId = keyof typeof ZH_CN;

/**
 * An id in two areas would be a silent override here (the later spread wins), where one object literal refused a
 * duplicate key: the ids two areas share must be none, so tsc says which id is in two places.
 */
type Areas = [
  typeof FRAME_ZH_CN,
  typeof KEYS_ZH_CN,
  typeof IDLE_ZH_CN,
  typeof MEMBER_HOME_ZH_CN,
  typeof PAY_ZH_CN,
  typeof RESULT_ZH_CN,
  typeof HISTORY_ZH_CN,
  typeof REWARDS_ZH_CN,
  typeof CODES_ZH_CN,
  typeof PIN_AND_LOSS_ZH_CN,
  typeof REGISTER_ZH_CN,
  typeof STAFF_DESK_ZH_CN,
  typeof STAFF_CARDS_ZH_CN,
  typeof STAFF_MONEY_ZH_CN,
  typeof TECHNICIAN_ZH_CN,
];
type IdsOf<Area> = Area extends unknown ? keyof Area : never;
type SharedIds<List extends unknown[]> = List extends [infer First, ...infer Rest] ? (keyof First & IdsOf<Rest[number]>) | SharedIds<Rest> : never;
type NoneOf<Ids extends never> = Ids;
type _NoIdInTwoAreas = NoneOf<SharedIds<Areas>>;
