/**
 * evaluatePurchase: the fixed, explainable pipeline over one basket. Pure and deterministic: the device and
 * the hub get the same result from equal bundles and the same context.
 *
 *   eligibility → price and discounts → payment (points offset, earn factors) → base points → multipliers
 *   → line bonuses → rounding and caps → transaction bonuses → tier and expiry
 *
 * Rounding is once per purchase (format 2 bundles) or per line (format 1): stages/caps-rounding.ts.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from './bundle.ts';
import { cardGrants } from './cards.ts';
import { compileBundle } from './compile.ts';
import { expiryFrom } from './expiry.ts';
import { applyBasePoints } from './stages/base-points.ts';
import { applyRoundingAndCaps } from './stages/caps-rounding.ts';
import { activeMask } from './stages/eligibility.ts';
import { applyLineBonuses } from './stages/line-bonuses.ts';
import { applyMultipliers } from './stages/multipliers.ts';
import { applyPayment, paymentSplit, settlePointsPayment } from './stages/payment.ts';
import { applyPrices } from './stages/pricing.ts';
import type { LineState, PurchaseState } from './stages/state.ts';
import { eventBonuses, purchaseReferralAwards } from './stages/transaction-bonuses.ts';
import { upgradeAfterPurchase } from './tiers.ts';
import type { PurchaseContext, PurchaseEvaluation, PurchaseLineInput } from './types.ts';
import { traceText } from './trace-text.ts';

export function evaluatePurchase(bundle: RulesBundle, ctx: PurchaseContext): PurchaseEvaluation {
  const compiled = compileBundle(bundle);
  const local = compiled.clock.at(ctx.at);
  const facts = { storeId: ctx.storeId, regionId: ctx.regionId, tier: ctx.member.tier, local };
  const state: PurchaseState = {
    compiled,
    ctx,
    facts,
    active: activeMask(compiled, facts),
    lines: ctx.lines.map(newLineState),
    trace: [],
  };

  applyPrices(state);
  let subtotalCents = 0;
  let totalCents = 0;
  for (const line of state.lines) {
    subtotalCents += line.grossCents;
    totalCents += line.netCents;
  }
  if (!Number.isSafeInteger(subtotalCents)) throw new CodedError('MONEY_OVERFLOW', 'basket total out of range');

  const pointsPayment = settlePointsPayment(compiled.settings, ctx, totalCents);
  applyPayment(state, pointsPayment);
  applyBasePoints(state);
  applyMultipliers(state);
  applyLineBonuses(state);
  applyRoundingAndCaps(state);
  const bonuses = eventBonuses(state);
  const paidWithMoneyCents = totalCents - (pointsPayment?.valueCents ?? 0);
  const referralAwards = purchaseReferralAwards(state, paidWithMoneyCents);

  let linePoints = 0;
  for (const line of state.lines) linePoints += line.points;
  let bonusPoints = 0;
  for (const bonus of bonuses) bonusPoints += bonus.points;
  const pointsEarned = linePoints + bonusPoints;
  // What counts towards a points tier is the bundle's tiers.countedSources (purchase and event points here).
  const counted = compiled.settings.countedSources;
  const tierPoints = (counted.has('purchase') ? linePoints : 0) + (counted.has('event') ? bonusPoints : 0);
  const tierAfter = upgradeAfterPurchase(compiled.tiers, ctx.member, tierPoints, paidWithMoneyCents);
  if (tierAfter !== null) state.trace.push({ ruleId: 'tiers', ...traceText('tierUpgrade', { tier: tierAfter }) });

  return {
    bundleVersion: compiled.version,
    lines: state.lines.map((line) => ({
      lineNo: line.input.lineNo,
      grossCents: line.grossCents,
      discountCents: line.discountCents,
      netCents: line.netCents,
      points: line.points,
      paidWithPointsCents: line.paidWithPointsCents,
      paidWithPoints: line.paidWithPoints,
      earningCents: line.earningCents,
    })),
    subtotalCents,
    discountCents: subtotalCents - totalCents,
    totalCents,
    pointsEarned,
    bonuses,
    pointsPayment,
    pointsExpireAt: expiryFrom(compiled, local, ctx.member.tier),
    tierAfter,
    trace: state.trace,
    paymentSplit: paymentSplit(ctx, pointsPayment),
    referralAwards,
    cardGrants: cardGrants(compiled, ctx.lines, local),
  };
}

function newLineState(input: PurchaseLineInput): LineState {
  if (!Number.isSafeInteger(input.qty) || input.qty <= 0) throw new CodedError('TX_INVALID', `line ${input.lineNo}: qty must be a positive whole number`);
  if (!Number.isSafeInteger(input.unitPriceCents) || input.unitPriceCents < 0) {
    throw new CodedError('MONEY_NOT_INTEGER', `line ${input.lineNo}: unit price must be whole, non-negative cents`);
  }
  return {
    input,
    grossCents: 0,
    discountCents: 0,
    netCents: 0,
    paidWithPointsCents: 0,
    paidWithPoints: 0,
    earningCents: 0,
    baseMicro: 0,
    micro: 0,
    points: 0,
  };
}
