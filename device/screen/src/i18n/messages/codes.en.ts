/** Codes from product labels: redeeming one for points, checking one is genuine, in English. */
import type { CODES_ZH_CN } from './codes.zh-CN.ts';

export const CODES_EN: Record<keyof typeof CODES_ZH_CN, string> = {
  'code.title': 'Redeem a code',
  'code.prompt': 'Type the code from the product label (no dashes needed, any case): its points are added at once. Each code works once.',
  'code.offline': 'Codes are checked by the membership system, which the kiosk cannot reach right now. Please try again later.',
  'code.redeem': 'Redeem',

  'verify.title': 'Check a code',
  'verify.prompt': 'Type the code from the product label (no dashes needed) to check it is genuine. Checking does not use it.',
  'verify.check': 'Check',
  'verify.genuineTitle': 'Genuine: this code is valid',
  'verify.genuineText': 'It has not been used yet and can be redeemed for points.',
  'verify.genuinePoints': 'It has not been used yet and gives {n} points (valid until {until}).',
  'verify.usedTitle': 'This code has been used',
  'verify.usedAt': 'It was redeemed on {at}. If that was not you, please ask at the service desk.',
  'verify.usedText': 'If that was not you, please ask at the service desk.',
  'verify.expiredTitle': 'This code has expired',
  'verify.expiredAt': 'It expired on {date}.',
  'verify.expiredText': 'It is past its date.',
  'verify.unknownTitle': 'No such code',
  'verify.unknownText': 'We never issued this code: the product may not be genuine. Check what you typed, or ask at the service desk.',
  'verify.notUsed': 'Checking did not use the code.',
  'verify.another': 'Check another',
};
