/** Before a member is known: the idle page, reading the card, a card not registered yet, in English. */
import type { IDLE_ZH_CN } from './idle.zh-CN.ts';

export const IDLE_EN: Record<keyof typeof IDLE_ZH_CN, string> = {
  'idle.title': 'Tap your card',
  'idle.text': 'Hold your membership card flat against the reader to see your balance and points.',
  'idle.readerMissingTitle': 'Cards can’t be read right now',
  'idle.readerMissingText': 'The card reader is not connected. Please ask at the service desk, or try again later.',
  'idle.demoLabel': 'Demo: card UID (hex)',
  'idle.demoTap': 'Simulate a tap',
  'idle.verifyCode': 'Check a code',
  'idle.lostCard': 'Lost your card?',

  'lookup.title': 'Reading your card…',
  'lookup.text': 'Keep it on the reader for a moment.',

  'error.unregisteredTitle': 'This card is not registered yet',
  'error.unregisteredText': 'It is not a membership card yet. Register it now to collect points and pay with it — it takes about a minute.',
  'error.offlineNote': 'The kiosk is offline right now.',
  'error.notNow': 'Not now',
  'error.register': 'Register this card',
};
