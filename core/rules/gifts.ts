/**
 * Gift catalogue: each gift has a points price and a catalogue stock. Redeeming prices the gifts; the ledger
 * deducts the points from the soonest-expiring lots (see lots.ts) and the stock it tracks.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from './bundle.ts';
import type { TraceEntry } from './types.ts';
import { traceText } from './trace-text.ts';

export interface RedeemGiftContext {
  giftId: string;
  qty: number;
  /** The member's spendable points now. */
  pointsBalance: number;
  /** Units left as the ledger counts them; absent: the catalogue stock (or unlimited when it has none). */
  stockLeft?: number;
}

export interface RedeemGiftEvaluation {
  giftId: string;
  qty: number;
  /** Points to deduct. */
  points: number;
  trace: TraceEntry[];
}

export function giftPrice(bundle: RulesBundle, giftId: string): { giftId: string; name: string; points: number; stock: number | null } {
  const gift = bundle.gifts?.find((g) => g.giftId === giftId);
  if (!gift) throw new CodedError('GIFT_UNKNOWN', `no gift '${giftId}' in rules version ${bundle.version}`);
  return { giftId: gift.giftId, name: gift.name, points: gift.points, stock: gift.stock ?? null };
}

export function evaluateRedeemGift(bundle: RulesBundle, ctx: RedeemGiftContext): RedeemGiftEvaluation {
  if (!Number.isSafeInteger(ctx.qty) || ctx.qty <= 0) throw new CodedError('AMOUNT_NOT_POSITIVE', 'gift quantity must be a positive whole number');
  const gift = giftPrice(bundle, ctx.giftId);
  const stock = ctx.stockLeft ?? gift.stock;
  if (stock !== null && stock < ctx.qty) throw new CodedError('GIFT_OUT_OF_STOCK', `only ${stock} of '${gift.name}' left`);
  const points = gift.points * ctx.qty;
  if (ctx.pointsBalance < points) throw new CodedError('INSUFFICIENT_POINTS', `${ctx.qty} × '${gift.name}' costs ${points} points, the member has ${ctx.pointsBalance}`);
  return { giftId: gift.giftId, qty: ctx.qty, points, trace: [{ ruleId: `gifts.${gift.giftId}`, ...traceText('giftRedeem', { qty: ctx.qty, giftId: gift.giftId, gift: gift.name }), points: -points }] };
}
