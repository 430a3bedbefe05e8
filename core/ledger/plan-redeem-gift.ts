import { CodedError } from '../errors/coded-error.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { assertCardUsable } from './card-rules.ts';
import type { PlanningContext } from './planning-context.ts';
import { drawPoints } from './point-lots.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

export function planRedeemGift(tx: TransactionOf<'redeem_gift'>, ctx: PlanningContext): LedgerEffect {
  assertCardUsable(ctx.card, tx.createdAt);
  const gift = ctx.gift;
  if (!gift) throw new CodedError('GIFT_UNKNOWN', `no gift ${tx.giftSku}`);
  if (gift.stock < tx.qty) throw new CodedError('GIFT_OUT_OF_STOCK', `${gift.stock} of ${gift.name} left`, { stock: gift.stock });
  const points = gift.pointsPrice * tx.qty;
  const drawn = drawPoints(ctx.lots, points, tx.createdAt);
  const effect = emptyEffect(ctx.member.memberId);
  effect.postings.push(...drawn.postings);
  // From the stock the ledger read: the store's own when it keeps one, so the write takes it from the same place.
  effect.giftStockChanges.push({ sku: gift.sku, delta: -tx.qty, ...(gift.storeId === undefined ? {} : { storeId: gift.storeId }) });
  effect.summary = { pointsEarned: 0, pointsSpent: points, valueDeltaCents: 0, trace: [`gift ${gift.name} ×${tx.qty}: -${points}`] };
  return effect;
}
