/**
 * An attached card's own limits (bundle `cardTypes[].limits`): a supplementary card given to a child or an
 * employee spends the member's stored value and credit only so far per purchase and per local day, and pays
 * with points only where its type allows. A personal card (or a type without limits) has none.
 */
import { CodedError } from '../errors/coded-error.ts';
import { cardTypeOfCard } from './card-types.ts';
import type { PlanningContext } from './planning-context.ts';
import type { LedgerEffect } from './types.ts';

export interface CardSpending {
  /** Stored value and credit the purchase takes. */
  moneyCents: number;
  pointsPaid: number;
  /** A sale a kiosk already took offline is applied (and counted) whatever the limits say. */
  acceptedOffline: boolean;
}

/** Checks the card's limits; returns what to add to its daily spending (undefined: nothing counted). */
export function applyCardLimits(ctx: Pick<PlanningContext, 'bundle' | 'card' | 'cardSpend'>, spending: CardSpending): LedgerEffect['cardDailySpend'] {
  const limits = cardTypeOfCard(ctx.bundle, ctx.card)?.limits;
  if (!limits) return undefined;
  if (!spending.acceptedOffline) {
    if (limits.pointsPayment === false && spending.pointsPaid > 0) {
      throw new CodedError('CARD_LIMIT_EXCEEDED', 'this card may not pay with points', { limit: 'pointsPayment' });
    }
    if (limits.perTransactionCents !== undefined && spending.moneyCents > limits.perTransactionCents) {
      throw new CodedError('CARD_LIMIT_EXCEEDED', `this card may take ${limits.perTransactionCents} cents per purchase`, { limit: 'perTransaction', limitCents: limits.perTransactionCents });
    }
    const spent = ctx.cardSpend?.spentCents ?? 0;
    if (limits.perDayCents !== undefined && spent + spending.moneyCents > limits.perDayCents) {
      throw new CodedError('CARD_LIMIT_EXCEEDED', `this card has ${Math.max(limits.perDayCents - spent, 0)} cents left today`, { limit: 'perDay', limitCents: limits.perDayCents, spentCents: spent });
    }
  }
  if (limits.perDayCents === undefined || spending.moneyCents === 0 || !ctx.cardSpend) return undefined;
  return { uid: ctx.card.uid, day: ctx.cardSpend.day, cents: spending.moneyCents };
}
