import { CodedError } from '../errors/coded-error.ts';
import type { CardState, CardStatus } from './types.ts';

const STATUS_ERRORS = {
  lost: 'CARD_LOST',
  frozen: 'CARD_FROZEN',
  cancelled: 'CARD_CANCELLED',
  expired: 'CARD_EXPIRED',
} as const;

/** A card may move money only while active and inside its validity period at the transaction's time. */
export function assertCardUsable(card: CardState, at: string): void {
  if (card.status !== 'active') throw new CodedError(STATUS_ERRORS[card.status], undefined, { status: card.status });
  if (card.validFrom && at < card.validFrom) throw new CodedError('CARD_EXPIRED', 'card is not valid yet');
  if (card.validUntil && at > card.validUntil) throw new CodedError('CARD_EXPIRED', `card expired at ${card.validUntil}`);
}

/** Which status each lifecycle action needs and which it leaves. */
export const CARD_TRANSITIONS = {
  card_report_loss: { from: ['active', 'frozen'], to: 'lost' },
  card_cancel_loss: { from: ['lost'], to: 'active' },
  card_freeze: { from: ['active'], to: 'frozen' },
  card_unfreeze: { from: ['frozen'], to: 'active' },
  card_replace: { from: ['active', 'lost', 'frozen'], to: 'cancelled' },
  card_return: { from: ['active', 'lost', 'frozen'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly CardStatus[]; to: CardStatus }>;

export type CardAction = keyof typeof CARD_TRANSITIONS;

export function nextCardStatus(card: CardState, action: CardAction): CardStatus {
  const transition = CARD_TRANSITIONS[action];
  if (!(transition.from as readonly CardStatus[]).includes(card.status)) {
    throw new CodedError('CARD_BAD_STATE', `cannot ${action.replace('card_', '').replace('_', ' ')} a card that is ${card.status}`, {
      status: card.status,
    });
  }
  return transition.to;
}
