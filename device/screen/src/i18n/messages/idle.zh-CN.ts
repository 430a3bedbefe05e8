/** Before a member is known: the idle page, reading the card, a card not registered yet, in zh-CN. */
export const IDLE_ZH_CN = {
  'idle.title': '请刷会员卡',
  'idle.text': '将会员卡平放在读卡器上，即可查看余额和积分。',
  'idle.readerMissingTitle': '暂时无法刷卡',
  'idle.readerMissingText': '读卡器未连接，请到服务台办理，或稍后再试。',
  'idle.demoLabel': '演示：卡号（十六进制）',
  'idle.demoTap': '模拟刷卡',
  'idle.verifyCode': '防伪查询',
  'idle.lostCard': '卡丢了？',

  'lookup.title': '正在读取会员卡…',
  'lookup.text': '请稍候，不要移开卡片。',

  'error.unregisteredTitle': '此卡尚未注册',
  'error.unregisteredText': '这张卡还不是会员卡。现在注册即可积分、储值消费，大约需要一分钟。',
  'error.offlineNote': '本机当前离线。',
  'error.notNow': '暂不注册',
  'error.register': '注册此卡',
} as const;
