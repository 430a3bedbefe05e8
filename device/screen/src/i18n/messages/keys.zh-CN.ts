/** The on-screen keyboards: number pad, code keys, name keyboard (pinyin or letters), in zh-CN. */
export const KEYS_ZH_CN = {
  'pad.label': '数字键盘',
  'pad.clear': '清除',
  'pad.delete': '删除',

  'codeKeys.label': '兑换码键盘',
  'codeKeys.field': '兑换码',
  'codeKeys.count': '{n}/{total}',

  'keys.candidates': '候选汉字',
  'keys.pinyinHint': '输入拼音，再点选汉字；姓名是字母请按“ABC”。',
  'keys.lettersHint': '输入姓名的字母；按“中文”可用拼音输入汉字。',
  'keys.shift': '大写',
  'keys.space': '空格',
  'keys.spacePick': '空格',
  'keys.toChinese': '中文',
  'keys.toLetters': 'ABC',
} as const;
