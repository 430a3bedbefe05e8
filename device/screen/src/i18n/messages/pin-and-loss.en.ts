/** Keeping the card safe: the member PIN, reporting the card lost with it or by phone, in English. */
import type { PIN_AND_LOSS_ZH_CN } from './pin-and-loss.zh-CN.ts';

export const PIN_AND_LOSS_EN: Record<keyof typeof PIN_AND_LOSS_ZH_CN, string> = {
  'pin.title': 'Member PIN',
  'pin.typeNew': 'Type a new PIN (4–8 digits)',
  'pin.typeAgain': 'Type it again',
  'pin.next': 'Next',
  'pin.set': 'Set the PIN',
  'pin.rules': 'Large stored-value payments ask for your member PIN. It can be set here the first time; to change it, ask staff at the service desk.',
  'pin.byStaff': '{name} (staff) is signed in: the PIN can be reset.',
  'pin.offline': 'Setting a PIN needs the membership system, which the kiosk cannot reach right now.',
  'pin.doneTitle': 'Your PIN is set',
  'pin.doneText': 'Type it when a large stored-value payment asks for it. Keep it to yourself.',

  'loss.title': 'Report lost',
  'loss.stops': 'The card stops working at once: nobody can spend with it.',
  'loss.keeps': 'Your stored value ({value}) and {points} points stay yours.',
  'loss.newCard': 'Ask at the service desk for a new card (bring ID): your balance and points move to it.',
  'loss.report': 'Report this card lost',
  'loss.confirmTitle': 'Report the card lost?',
  'loss.confirmText': 'The card stops working at once. For a new card, or to undo this, ask at the service desk.',
  'loss.confirmYes': 'Yes, report it lost',

  'lost.title': 'Lost your card?',
  'lost.phonePrompt': 'You can report it lost without the card: type the mobile number you registered with.',
  'lost.pinPrompt': 'Type your member PIN (4–8 digits).',
  'lost.phone': 'Mobile phone',
  'lost.forPhone': 'Phone {phone}',
  'lost.report': 'Report lost',
  'lost.confirmText': 'The card of {phone} stops working at once; the balance and points stay yours. Then ask at the service desk for a new card.',
  'lost.doneTitle': 'Reported lost: the card no longer works',
  'lost.doneText': 'Your balance and points are kept. Ask at the service desk for a new card (bring ID).',
  'lost.queuedTitle': 'Your report is sent',
  'lost.queuedText': 'The card stops once the membership system confirms it. Ask at the service desk if in doubt.',
  'lost.refusedTitle': 'Not reported',
};
