/**
 * Stage 3, payment: the points offset and the payment split. The design lists payment after caps, but it
 * is settled right after pricing because it decides what earns: the part of the bill paid with points earns
 * nothing unless the bundle says so, and stored value, cash and credit can earn at different rates.
 *
 * Points pay whole cents: `points × 100 / pointsPerYuan` must be an integer. The points value is spread over
 * the lines in proportion to their net price, so a refund of a line knows which points it gives back.
 */
import { CodedError } from '../../errors/coded-error.ts';
import { allocateProRata } from '../allocate.ts';
import { mulDiv, SCALE, scaledToDecimal } from '../decimal.ts';
import type { PaymentSplitEntry, PurchaseContext } from '../types.ts';
import type { CompiledSettings } from '../compiled-types.ts';
import type { PurchaseState } from './state.ts';

export interface PointsPayment {
  points: number;
  valueCents: number;
}

/**
 * Validates the points payment against the bundle and the bill. Refusals: POINTS_PAYMENT_NOT_ALLOWED (the bundle
 * has no pointsPayment), POINTS_PAYMENT_UNDER_MIN_BALANCE (the context's member.pointsBalance is below minBalance;
 * a context without a balance is not checked: the hub's planner gives one for every sale it decides, and leaves it
 * out for a sale a kiosk already took offline), POINTS_PAYMENT_UNDER_MINIMUM, POINTS_PAYMENT_NOT_WHOLE_CENTS, POINTS_PAYMENT_OVER_SHARE;
 * `details.reason` names the refusal too, as it did when the first two shared PAYMENT_MISMATCH.
 */
export function settlePointsPayment(settings: CompiledSettings, ctx: PurchaseContext, totalCents: number): PointsPayment | null {
  let points = 0;
  for (const payment of ctx.payments) {
    if (payment.method !== 'points') continue;
    const p = payment.points ?? 0;
    if (!Number.isSafeInteger(p) || p < 0) throw new CodedError('MONEY_NOT_INTEGER', `points payment must be whole points, got ${String(payment.points)}`);
    points += p;
  }
  if (points === 0) return null;
  const rule = settings.pointsPayment;
  if (!rule) throw new CodedError('POINTS_PAYMENT_NOT_ALLOWED', 'this rules bundle does not allow paying with points', { reason: 'points_payment_disabled' });
  const balance = ctx.member.pointsBalance;
  if (balance !== undefined && balance < rule.minBalance) {
    throw new CodedError('POINTS_PAYMENT_UNDER_MIN_BALANCE', `paying with points needs a balance of at least ${rule.minBalance} points, the member holds ${balance}`, {
      reason: 'points_balance_under_minimum',
      minBalance: rule.minBalance,
      pointsBalance: balance,
    });
  }
  if (points < rule.minPoints) {
    throw new CodedError('POINTS_PAYMENT_UNDER_MINIMUM', `paying with points needs at least ${rule.minPoints} points, got ${points}`, { reason: 'points_under_minimum', minPoints: rule.minPoints, points });
  }
  if ((points * 100) % rule.pointsPerYuan !== 0) {
    throw new CodedError('POINTS_PAYMENT_NOT_WHOLE_CENTS', `${points} points is not a whole number of cents at ${rule.pointsPerYuan} points per yuan`, { reason: 'points_not_whole_cents', points });
  }
  const valueCents = (points * 100) / rule.pointsPerYuan;
  const maxCents = mulDiv(totalCents, rule.maxShareScaled, SCALE);
  if (valueCents > maxCents) {
    throw new CodedError(
      'POINTS_PAYMENT_OVER_SHARE',
      `points may pay at most ${scaledToDecimal(rule.maxShareScaled * 100)}% of the bill (${maxCents} cents), got ${valueCents} cents`,
      { reason: 'points_over_max_share', maxCents, valueCents },
    );
  }
  return { points, valueCents };
}

/** Spreads the points payment over the lines and works out each line's earning cents. */
export function applyPayment(state: PurchaseState, pointsPayment: PointsPayment | null): void {
  const { settings } = state.compiled;
  const lines = state.lines;
  if (pointsPayment) {
    const byNet = lines.map((l) => l.netCents);
    const cents = allocateProRata(pointsPayment.valueCents, byNet);
    const points = allocateProRata(pointsPayment.points, byNet);
    lines.forEach((line, i) => {
      line.paidWithPointsCents = cents[i] ?? 0;
      line.paidWithPoints = points[i] ?? 0;
    });
  }
  const earnsOnPoints = settings.pointsPayment?.earnsPoints ?? false;
  const factor = settings.earnFactorsAllOne ? null : weightedEarnFactor(state.ctx, settings);
  for (const line of lines) {
    const price = settings.earnOn === 'after_discount' ? line.netCents : line.grossCents;
    const pointsShare = earnsOnPoints ? 0 : line.paidWithPointsCents;
    const paidWithMoney = Math.max(0, price - pointsShare);
    line.earningCents = factor === null ? paidWithMoney : mulDiv(paidWithMoney, factor.numerator, factor.denominator);
  }
}

/**
 * The money part of the bill earns at the payment-weighted factor: 60 yuan cash at 1 and 40 yuan stored value
 * at 0.5 → (60×1 + 40×0.5) / 100 = 0.8. With no money payments given it earns at the cash factor.
 */
function weightedEarnFactor(ctx: PurchaseContext, settings: CompiledSettings): { numerator: number; denominator: number } {
  let weighted = 0;
  let paid = 0;
  for (const payment of ctx.payments) {
    if (payment.method === 'points') continue;
    const cents = payment.amountCents ?? 0;
    weighted += cents * settings.earnFactor[payment.method];
    paid += cents;
  }
  if (paid === 0) return { numerator: settings.earnFactor.cash, denominator: SCALE };
  return { numerator: weighted, denominator: paid * SCALE };
}

const SPLIT_ORDER = ['cash', 'stored_value', 'credit'] as const;

export function paymentSplit(ctx: PurchaseContext, pointsPayment: PointsPayment | null): PaymentSplitEntry[] {
  const split: PaymentSplitEntry[] = [];
  for (const method of SPLIT_ORDER) {
    let cents = 0;
    for (const payment of ctx.payments) if (payment.method === method) cents += payment.amountCents ?? 0;
    if (cents !== 0) split.push({ method, cents });
  }
  if (pointsPayment) split.push({ method: 'points', cents: pointsPayment.valueCents });
  return split;
}
