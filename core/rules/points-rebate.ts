/**
 * 积分返点: automatic conversion of points at a threshold (bundle `pointsRebate`). When the member's spendable
 * points reach the threshold they convert, by the member's tier:
 * - `reward: "value"`: whole `step`s of points (default: the threshold) at `ratio` yuan per point (or the tier's
 *   `ratioByTier`), floored to whole cents, credited to bonus value (spent after principal, never paid out);
 * - `reward: "gift"`: as many of the gift (or the tier's `giftIdByTier`) as the balance pays for at the gift's
 *   catalogue points, limited by the stock left.
 * Below the threshold, or for a tier with no ratio, nothing converts (not a refusal). The ledger deducts the
 * points from the soonest-expiring lots, as for gifts.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from './bundle.ts';
import { decimalToScaled, mulDiv, SCALE } from './decimal.ts';
import { giftPrice } from './gifts.ts';
import type { TraceEntry } from './types.ts';
import { traceText } from './trace-text.ts';

export interface PointsRebateContext {
  /** The member's tier now (picks ratioByTier / giftIdByTier). */
  tier: string;
  /** The member's spendable points now (after the transaction that may trigger the conversion). */
  pointsBalance: number;
  /** For a gift rebate: units left as the ledger counts them; absent: the catalogue stock (or unlimited). */
  stockLeft?: number;
}

export interface PointsRebateEvaluation {
  bundleVersion: number;
  /** Points to deduct (0: nothing converts). */
  points: number;
  /** Bonus value to credit (value rebates). */
  valueCents: number;
  /** Gifts to hand over (gift rebates). */
  gifts: { giftId: string; qty: number }[];
  trace: TraceEntry[];
}

export function evaluatePointsRebate(bundle: RulesBundle, ctx: PointsRebateContext): PointsRebateEvaluation {
  if (!Number.isSafeInteger(ctx.pointsBalance)) throw new CodedError('MONEY_NOT_INTEGER', 'the points balance must be whole points');
  const none: PointsRebateEvaluation = { bundleVersion: bundle.version, points: 0, valueCents: 0, gifts: [], trace: [] };
  const rebate = bundle.pointsRebate;
  if (!rebate || ctx.pointsBalance < rebate.threshold) return none;
  if (rebate.reward === 'value') {
    const ratio = rebate.ratioByTier?.[ctx.tier] ?? rebate.ratio;
    if (ratio === undefined) return none;
    const step = rebate.step ?? rebate.threshold;
    const points = Math.floor(ctx.pointsBalance / step) * step;
    // points × (yuan per point × SCALE) × 100 cents / SCALE.
    const valueCents = mulDiv(points * 100, decimalToScaled(ratio), SCALE);
    if (valueCents === 0) return none;
    return { ...none, points, valueCents, trace: [{ ruleId: 'pointsRebate', ...traceText('pointsRebateValue', { points, ratio }), points: -points, cents: valueCents }] };
  }
  const gift = giftPrice(bundle, rebate.giftIdByTier?.[ctx.tier] ?? rebate.giftId);
  let qty = Math.floor(ctx.pointsBalance / gift.points);
  const stock = ctx.stockLeft ?? gift.stock;
  if (stock !== null) qty = Math.min(qty, stock);
  if (qty <= 0) return none;
  const points = qty * gift.points;
  return { ...none, points, gifts: [{ giftId: gift.giftId, qty }], trace: [{ ruleId: 'pointsRebate', ...traceText('pointsRebateGift', { qty, giftId: gift.giftId, gift: gift.name }), points: -points }] };
}
