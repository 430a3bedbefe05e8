/** Paying at the kiosk: basket, points, tender, member PIN, offline limits that refuse a payment, in English. */
import type { PAY_ZH_CN } from './pay.zh-CN.ts';

export const PAY_EN: Record<keyof typeof PAY_ZH_CN, string> = {
  'pay.title': 'Pay',
  'pay.noItems': 'This kiosk sells nothing yet: please pay at the checkout.',
  'pay.basket': 'Your basket',
  'pay.basketEmpty': 'Tap an item to add it.',
  'pay.less': 'One less',
  'pay.more': 'One more',
  'pay.moreLines': '{n, plural, one {# more item} other {# more items}}',
  'pay.subtotal': 'Items',
  'pay.memberDiscount': 'Member saving',
  'pay.total': 'To pay',
  'pay.pricing': 'Pricing…',
  'pay.usePoints': 'Use {points} points for {amount}',
  'pay.pointsUnavailable': 'Paying with points is not available right now.',
  'pay.method': 'Pay with',
  'pay.storedValue': 'Stored value',
  'pay.cash': 'Cash',
  'pay.fromStoredValue': 'Paid from your stored value (balance {amount})',
  'pay.clear': 'Clear',
  'pay.chooseFirst': 'Choose an item first',
  'pay.pay': 'Pay {amount}',
  'pay.payWithPoints': 'Pay {amount} + {points} points',
  'pay.payAllPoints': 'Pay with {points} points',
  'pay.offlineLimits': 'Kiosk offline: this card can spend up to {perDay} of stored value today, {n, plural, one {# payment} other {# payments}} until it is back online.',

  'memberPin.title': 'Enter your member PIN',
  'memberPin.prompt': 'This stored-value payment needs your member PIN (4–8 digits).',

  'refusal.offlineCardDay': 'The kiosk is offline: this card can spend {left} more of stored value today. Please pay less, or pay another way.',
  'refusal.offlineCardPoints': 'The kiosk is offline: this card can spend {left} more points today.',
  'refusal.offlineKiosk': 'The kiosk is offline and can take only {left} more of stored value until it is back online. Please pay another way.',
  'refusal.offlineSpends': 'The kiosk is offline: a card can pay with stored value or points {n, plural, one {# time} other {# times}} until it is back online. Please pay another way.',
  'refusal.offlineTooLong': 'The kiosk has been offline for more than {n, plural, one {# hour} other {# hours}}: stored value and points cannot be used until it is back online.',
};
