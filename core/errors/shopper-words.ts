/**
 * What a person at a kiosk reads when something is refused: a short title and one sentence saying what to do,
 * in zh-CN (the default) and English, for the codes a shopper or a clerk can meet. The code itself is shown
 * small underneath for staff; never an internal message alone. Codes without words here get the general words
 * (GENERAL_WORDS), which still offer a way back. Keyed by core's registry, so a code that does not exist does
 * not compile.
 */
import type { ErrorCode } from './codes.ts';

export type WordsLocale = 'zh-CN' | 'en';

export interface ShopperWords {
  title: string;
  /** One sentence: what happened in plain words, and what to do now. */
  advice: string;
}

type Both = Record<WordsLocale, ShopperWords>;
const w = (zhTitle: string, zhAdvice: string, enTitle: string, enAdvice: string): Both => ({
  'zh-CN': { title: zhTitle, advice: zhAdvice },
  en: { title: enTitle, advice: enAdvice },
});

export const GENERAL_WORDS: Both = w('操作未完成', '请再试一次，或到服务台咨询。', 'That did not work', 'Please try again, or ask at the service desk.');

export const SHOPPER_WORDS: Partial<Record<ErrorCode, Both>> = {
  CARD_UNKNOWN: w('此卡尚未注册', '这张卡还不是会员卡，可以现在注册，或到服务台咨询。', 'Card not registered', 'This card is not a membership card yet. Register it now, or ask at the service desk.'),
  CARD_CHECK_UNAVAILABLE: w('暂时无法查询此卡', '本机现在连不上会员系统，本机也没有这张卡的记录。请稍后再刷，或到服务台咨询。', 'Can’t check this card right now', 'The kiosk cannot reach the membership system and has no record of this card. Please tap again later, or ask at the service desk.'),
  CARD_LOST: w('此卡已挂失', '此卡不能使用。请到服务台补办新卡，余额和积分会转到新卡。', 'This card is reported lost', 'It cannot be used. Ask at the service desk for a new card; your balance and points move to it.'),
  CARD_FROZEN: w('此卡已冻结', '此卡暂时不能使用，请到服务台咨询。', 'This card is frozen', 'It cannot be used right now. Please ask at the service desk.'),
  CARD_CANCELLED: w('此卡已注销', '请到服务台咨询。', 'This card is cancelled', 'Please ask at the service desk.'),
  CARD_EXPIRED: w('此卡已过期', '请到服务台续卡。', 'This card has expired', 'Please ask at the service desk to renew it.'),
  CARD_BAD_STATE: w('此卡现在不能办理该业务', '请到服务台咨询。', 'This card cannot do that now', 'Please ask at the service desk.'),
  CARD_ALREADY_EXISTS: w('此卡已注册', '请重新刷卡，查看它所属的会员。', 'This card is already registered', 'Tap it again to see the membership it belongs to.'),
  MEMBER_UNKNOWN: w('找不到会员', '请到服务台咨询。', 'Member not found', 'Please ask at the service desk.'),
  MEMBER_PHONE_TAKEN: w('此手机号已注册', '一个手机号只能注册一个会员。请检查号码，或到服务台咨询。', 'This phone number is already registered', 'Each phone number can have one membership. Check the number, or ask at the service desk.'),
  REFERRER_UNKNOWN: w('找不到推荐人', '没有会员使用这个手机号。请检查号码，或不填推荐人。', 'We could not find who referred you', 'No member has that phone number. Check it, or leave the referrer empty.'),
  INSUFFICIENT_STORED_VALUE: w('储值余额不足', '余额不够支付这笔金额。请先充值，或选择其他支付方式。', 'Not enough stored value', 'Your balance does not cover this payment. Top up first, or pay another way.'),
  INSUFFICIENT_POINTS: w('积分不足', '您的积分不够。', 'Not enough points', 'You do not have enough points for this.'),
  PAYMENT_MISMATCH: w('支付金额不符', '支付金额与应付金额不一致，请重试。', 'Payment does not match', 'The payment does not add up to the total. Please try again.'),
  POINTS_PAYMENT_UNDER_MINIMUM: w('积分太少，不能抵扣', '积分抵扣需要更多积分，请不使用积分支付。', 'Too few points to pay with', 'Paying with points needs more points than that. Pay without points instead.'),
  POINTS_PAYMENT_OVER_SHARE: w('积分抵扣超出上限', '积分只能支付这笔账单的一部分，请重试。', 'Too many points for this bill', 'Points can pay only part of this bill. Please try again.'),
  GIFT_OUT_OF_STOCK: w('礼品已兑完', '请选择其他礼品，或到服务台咨询。', 'This gift is out of stock', 'Please choose another gift, or ask at the service desk.'),
  GIFT_UNKNOWN: w('此礼品已下架', '请选择其他礼品。', 'This gift is no longer offered', 'Please choose another gift.'),
  PAID_UPGRADE_UNKNOWN: w('暂不提供此升级', '请到服务台咨询。', 'This upgrade is not offered', 'Please ask at the service desk.'),
  PUNCH_CARD_EXHAUSTED: w('次卡次数已用完', '请到柜台购买新的次卡。', 'No visits left on this card', 'Buy a new count card at the counter.'),
  PUNCH_CARD_UNKNOWN: w('没有此服务的次卡', '请到服务台咨询。', 'No count card for this service', 'Please ask at the service desk.'),
  CARD_IS_STAFF: w('店员卡', '请输入 PIN 码登录。', 'Staff card', 'Enter your PIN to sign in.'),
  STAFF_PIN_WRONG: w('PIN 码错误', '请重新输入。', 'Wrong PIN', 'Please enter it again.'),
  STAFF_LOCKED: w('PIN 码错误次数过多', '此店员账号已暂时锁定，请稍后再试或联系店长。', 'Too many wrong PINs', 'This staff account is locked for a while. Try again later, or ask your manager.'),
  STAFF_SESSION_REQUIRED: w('需要店员登录', '请店员先刷店员卡并输入 PIN 码。', 'A staff member must sign in', 'Staff: tap your staff card and enter your PIN first.'),
  STAFF_UNAUTHORIZED: w('无权进行此操作', '您的店员角色不能在本机进行此操作。', 'Not allowed for this staff member', 'Your staff role may not do this here.'),
  STAFF_CARD_UNKNOWN: w('请先刷店员卡', '读卡器上没有有效的店员卡，请重新刷卡后输入 PIN 码。', 'Tap your staff card first', 'No active staff card is on the reader. Tap it again, then enter your PIN.'),
  MEMBER_PIN_WRONG: w('会员密码错误', '请重新输入。', 'Wrong member PIN', 'Please enter it again.'),
  MEMBER_PIN_LOCKED: w('密码错误次数过多', '会员密码已暂时锁定，请稍后再试或到服务台咨询。', 'Too many wrong PINs', 'The member PIN is locked for a while. Try again later, or ask at the service desk.'),
  MEMBER_PIN_NOT_SET: w('尚未设置会员密码', '请先刷卡设置密码，或到服务台咨询。', 'No member PIN set yet', 'Tap your card and set a PIN first, or ask at the service desk.'),
  MEMBER_PIN_REQUIRED: w('需要输入会员密码', '这笔储值支付需要您的会员密码。', 'Your member PIN is needed', 'This stored-value payment needs your member PIN.'),
  TENDER_NOT_ALLOWED: w('本机不收现金', '这是无人值守的自助机，请选择其他支付方式。', 'This kiosk does not take cash', 'Nobody is here to take it. Please choose another way to pay.'),
  CARD_NOT_ON_READER: w('只能为读卡器上的卡办理', '本机只为在自己读卡器上刷的卡办理业务，请刷卡后再试。', 'Only for the card on this reader', 'The kiosk acts only for the card tapped on its own reader. Tap the card, then try again.'),
  HOST_NOT_ALLOWED: w('无法通过此地址访问', '请使用自助机本机的地址打开屏幕。', 'This address is not served here', 'Open the kiosk screen from the kiosk’s own address.'),
  SESSION_NO_CARD: w('请先刷卡', '请把会员卡放在读卡器上，然后再试。', 'Please tap your card first', 'Hold your membership card to the reader, then try again.'),
  SESSION_NO_MEMBER: w('会员页面已关闭', '请重新刷卡。', 'Your session has ended', 'Please tap your card again.'),
  HUB_UNREACHABLE: w('无法连接会员系统', '请稍后再试。', 'The membership system cannot be reached', 'Please try again in a moment.'),
  HUB_REQUIRED: w('需要联网才能办理', '本机暂时连不上会员系统，这项业务需要联网。请稍后再试。', 'This needs the membership system', 'The kiosk cannot reach it right now, and this needs it. Please try again later.'),
  KIOSK_UNREACHABLE: w('自助机服务无响应', '请稍等片刻再试。', 'The kiosk is not answering', 'Please wait a moment and try again.'),
  OFFLINE_CARD_DAY_LIMIT: w('超出今日离线支付额度', '本机暂时离线，请减少金额或使用其他方式支付。', 'Over today’s offline limit', 'The kiosk is offline. Please pay less, or pay another way.'),
  OFFLINE_CARD_POINTS_LIMIT: w('超出今日离线积分额度', '本机暂时离线，请少用积分或使用其他方式支付。', 'Over today’s offline points limit', 'The kiosk is offline. Please use fewer points, or pay another way.'),
  OFFLINE_CARD_SPENDS: w('此卡离线支付次数已满', '本机暂时离线，请使用其他方式支付。', 'No more offline payments for this card', 'The kiosk is offline. Please pay another way.'),
  OFFLINE_KIOSK_EXPOSURE: w('本机离线储值额度已满', '请使用其他方式支付。', 'This kiosk cannot take more stored value offline', 'Please pay another way.'),
  OFFLINE_TOO_LONG: w('本机离线时间过长', '联网前暂不能使用储值或积分支付。', 'Offline for too long', 'Stored value and points cannot be used until the kiosk is back online.'),
  OFFLINE_SNAPSHOT_EXPIRED: w('储值和积分支付暂停', '本机配置需要更新；余额查询和积分累计不受影响。', 'Stored value and points are paused', 'The kiosk’s settings need renewing. Balances and earning points still work.'),
  CODE_MALFORMED: w('兑换码格式不对', '请检查后重新输入。', 'That is not a code', 'Please check it and type it again.'),
  CODE_CHECK_DIGIT: w('兑换码有误', '可能输错了一位，请检查后重新输入。', 'That code has a typo', 'One character may be wrong. Please check it and type it again.'),
  CODE_UNKNOWN: w('兑换码无效', '这个兑换码不存在，请检查后重试。', 'Code not valid', 'No such code was issued. Please check it.'),
  CODE_USED: w('兑换码已使用', '每个兑换码只能使用一次。', 'Code already used', 'Each code can be used once.'),
  CODE_EXPIRED: w('兑换码已过期', '请到服务台咨询。', 'Code expired', 'Please ask at the service desk.'),
  CODE_VERIFY_RATE_LIMITED: w('查询太频繁', '请稍等一分钟再试。', 'Too many checks', 'Please wait a minute and try again.'),
  DRAW_NOT_OPEN: w('抽奖尚未开始', '请留意活动时间。', 'This draw is not open yet', 'Please check when it opens.'),
  DRAW_CLOSED: w('抽奖已结束', '请留意下一次活动。', 'This draw has ended', 'Watch out for the next one.'),
  DRAW_UNKNOWN: w('没有这个抽奖活动', '请选择其他活动。', 'No such draw', 'Please choose another one.'),
  AMOUNT_NOT_POSITIVE: w('请输入金额', '金额需大于 0，例如 50.00。', 'Enter an amount', 'The amount must be more than 0, like 50.00.'),
  NAME_MISSING: w('请填写姓名', '姓名不能为空。', 'Please type your name', 'The name cannot be empty.'),
  PHONE_INVALID: w('手机号不正确', '手机号为 6 到 20 位数字。', 'Phone number not valid', 'A phone number has 6 to 20 digits.'),
  CONSENT_REQUIRED: w('需要同意会员条款', '注册前请阅读并勾选同意会员服务条款和个人信息处理规则。', 'Please agree to the terms', 'To register, read and accept the membership terms and how your details are used.'),
  PIN_MISMATCH: w('两次输入的密码不一致', '请重新输入两次相同的密码。', 'The two PINs differ', 'Please type the same PIN twice.'),
  PIN_INVALID: w('密码格式不对', '密码为 4 到 8 位数字。', 'PIN not valid', 'A PIN has 4 to 8 digits.'),
  MEMBER_PIN_SET_REFUSED: w('密码已设置过', '在自助机上只能首次设置密码。如需修改，请到服务台由店员为您重设。', 'Your PIN is already set', 'A PIN can be set here only the first time. To change it, ask staff at the service desk to reset it.'),
  REGISTER_NOT_OFFERED: w('暂时不能注册此卡', '请重新刷卡；如仍不行，请到服务台办理。', 'This card can’t be registered now', 'Please tap it again; if that does not work, ask at the service desk.'),
  BAD_REQUEST: GENERAL_WORDS,
  TX_INVALID: GENERAL_WORDS,
  READER_MISSING: w('读卡器未连接', '暂时无法刷卡，请到服务台咨询。', 'Card reader not connected', 'Cards cannot be read right now. Please ask at the service desk.'),
  PRINTER_PAPER_OUT: w('打印机缺纸', '小票未打印；交易记录已保存，可请店员补打。', 'Printer out of paper', 'The receipt was not printed; the transaction is recorded and staff can reprint it.'),
  PRINTER_OFFLINE: w('打印机未连接', '小票未打印；交易记录已保存，可请店员补打。', 'Printer not connected', 'The receipt was not printed; the transaction is recorded and staff can reprint it.'),
  // What a clerk meets on the kiosk's staff pages.
  NEW_CARD_NOT_TAPPED: w('请先刷新卡', '请把要发给会员的新卡放在读卡器上，读取成功后再确认。', 'Tap the new card first', 'Hold the new card for the member to the reader, then confirm once it is read.'),
  PURCHASE_NOT_ON_KIOSK: w('本机没有这笔消费的明细', '这笔消费不是在本机完成的，请在总部后台办理退货。', 'This purchase’s lines are not on this kiosk', 'It was not made on this kiosk. Refund it in the HQ console.'),
  RECEIPT_NOT_FOUND: w('找不到这张小票', '本机只保留最近 50 张小票，重启后清空；交易记录不受影响。', 'Receipt not found', 'This kiosk keeps its last 50 receipts until it restarts; the transaction itself is recorded.'),
  REFUND_BAD_LINES: w('所选商品不能退', '这些商品不在这笔消费中，或已经退过。请重新选择。', 'Those lines cannot be refunded', 'They are not in the purchase, or were refunded already. Choose again.'),
  REFUND_UNKNOWN_PURCHASE: w('找不到这笔消费', '会员系统中没有此会员的这笔消费。', 'Purchase not found', 'The membership system has no such purchase for this member.'),
  FEE_MISMATCH: w('费用与会员系统不一致', '本机的收费标准已过时，请稍后再试（本机会自动更新）。', 'The fee differs from the membership system', 'This kiosk’s fee list is out of date. Try again shortly; it updates by itself.'),
  CARD_RETURN_BALANCE_OWED: w('会员有欠款，不能退卡', '请先结清欠款（赊账或离线透支），再办理退卡。', 'The member owes money', 'Settle what is owed (credit or offline shortfall) before the card is returned.'),
  CARD_TYPE_UNKNOWN: w('没有这种卡类型', '卡类型已变更，请重新选择。', 'No such card type', 'The card types have changed. Choose again.'),
  STAFF_SESSION_INVALID: w('店员登录已失效', '请重新刷店员卡并输入 PIN 码。', 'Your staff sign-in has ended', 'Tap your staff card and enter your PIN again.'),
  STAFF_SESSION_EXPIRED: w('店员登录已过期', '请重新刷店员卡并输入 PIN 码。', 'Your staff sign-in has expired', 'Tap your staff card and enter your PIN again.'),
  PRINTER_COVER_OPEN: w('打印机盖未关', '小票未打印；请关好打印机盖后补打。', 'Printer cover open', 'The receipt was not printed. Close the cover, then reprint it.'),
  PRINTER_ERROR: w('打印机故障', '小票未打印；交易记录已保存。请联系技术人员。', 'Printer fault', 'The receipt was not printed; the transaction is recorded. Call a technician.'),
};

/** The words for a code in a locale: its own, else the general words. */
export function shopperWords(code: string, locale: WordsLocale): ShopperWords {
  const own = (SHOPPER_WORDS as Partial<Record<string, Both>>)[code];
  return (own ?? GENERAL_WORDS)[locale];
}
