/** Codes from product labels: redeeming one for points, checking one is genuine, in zh-CN. */
export const CODES_ZH_CN = {
  'code.title': '兑换码',
  'code.prompt': '输入商品标签上的兑换码（不用输入横线，不分大小写），积分立即到账；每个码只能用一次。',
  'code.offline': '兑换码需要联网核验，本机现在连不上会员系统，请稍后再试。',
  'code.redeem': '兑换',

  'verify.title': '防伪查询',
  'verify.prompt': '输入商品标签上的防伪码（不用输入横线），查询是否正品；查询不会使用此码。',
  'verify.check': '查询',
  'verify.genuineTitle': '正品：此码有效',
  'verify.genuineText': '此码尚未使用，可以兑换积分。',
  'verify.genuinePoints': '此码尚未使用，可兑换 {n} 积分（有效期至 {until}）。',
  'verify.usedTitle': '此码已被使用',
  'verify.usedAt': '已于 {at} 兑换。如不是您本人使用，请到服务台咨询。',
  'verify.usedText': '如不是您本人使用，请到服务台咨询。',
  'verify.expiredTitle': '此码已过期',
  'verify.expiredAt': '已于 {date} 过期。',
  'verify.expiredText': '此码已过有效期。',
  'verify.unknownTitle': '查无此码',
  'verify.unknownText': '我们没有发出过这个码，商品可能不是正品。请检查输入，或到服务台咨询。',
  'verify.notUsed': '查询不会使用此码。',
  'verify.another': '再查一个',
} as const;
