/** The on-screen keyboards: number pad, code keys, name keyboard (pinyin or letters), in English. */
import type { KEYS_ZH_CN } from './keys.zh-CN.ts';

export const KEYS_EN: Record<keyof typeof KEYS_ZH_CN, string> = {
  'pad.label': 'Number keypad',
  'pad.clear': 'Clear',
  'pad.delete': 'Delete',

  'codeKeys.label': 'Code keys',
  'codeKeys.field': 'Code',
  'codeKeys.count': '{n}/{total}',

  'keys.candidates': 'Characters',
  'keys.pinyinHint': 'Type pinyin, then tap a character; the ABC key types letters.',
  'keys.lettersHint': 'Type the letters of your name; the Chinese key types characters in pinyin.',
  'keys.shift': 'Capitals',
  'keys.space': 'Space',
  'keys.spacePick': 'Space',
  'keys.toChinese': 'Chinese',
  'keys.toLetters': 'ABC',
};
