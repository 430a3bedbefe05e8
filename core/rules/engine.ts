/**
 * The rules engine's public face: everything the hub ledger, the device, the CLI and receipts call.
 * Each function lives in its own file; this module only gathers them so callers have one import.
 */
export { evaluatePurchase } from './evaluate-purchase.ts';
export { evaluateTopUp } from './evaluate-top-up.ts';
export { evaluateRegistration } from './evaluate-registration.ts';
export { evaluateEventBonus, evaluateManualBonus, type BonusEvaluation, type EventContext, type ManualBonusContext } from './evaluate-bonus.ts';
export { evaluateRedeemGift, giftPrice, type RedeemGiftContext, type RedeemGiftEvaluation } from './gifts.ts';
export {
  evaluateTier,
  evaluatePaidUpgrade,
  evaluateTierCredit,
  countedPoints,
  countsTowardTier,
  purchaseTierPoints,
  type TierContext,
  type TierEvaluation,
  type PaidUpgradeContext,
  type PaidUpgradeEvaluation,
  type TierCreditContext,
  type TierCreditEvaluation,
} from './tiers.ts';
export { evaluateInput, type InputEvaluation } from './evaluate-input.ts';
export { parseEvaluationInput, EVALUATION_KINDS, type EvaluationInput, type EvaluationKind } from './context-schema.ts';
export { evaluateCardUse, type CardUseContext, type CardUseEvaluation } from './cards.ts';
export { pointsExpiry } from './expiry.ts';
export { evaluatePointsRebate, type PointsRebateContext, type PointsRebateEvaluation } from './points-rebate.ts';
export { dailyCapDay } from './daily-cap.ts';
export { quoteBasket, type BasketQuote } from './quote-basket.ts';
export { tierPeriodAt, lastClosedTierPeriod, type TierPeriod } from './tier-period.ts';
export { reverseLines, type Reversal, type LineReversal } from './refund.ts';
export { consumeLots, returnToLots, type PointsLot, type LotUse } from './lots.ts';
export { compareEvaluations, type Comparison } from './compare.ts';
export { shortTrace, shortTraceRows, traceLinesOf, type ShortTraceRow } from './short-trace.ts';
export { TRACE_KEYS, type TraceKey, type TraceLine, type TraceText } from './trace-keys.ts';
export { localizeTrace, renderTrace, renderTraceText, traceLocale, type TraceLocale } from './trace-text.ts';
export { compileBundle, formatOf, DEFAULT_TIMEZONE } from './compile.ts';
export { parseRulesBundle, checkRulesBundle, type RulesIssue } from './parse.ts';
export { rulesBundleSchema, CURRENT_RULES_FORMAT, POINT_SOURCES, type RulesBundle, type Rule, type PointSource } from './bundle.ts';
export { DEFAULT_RULES_BUNDLE } from './default-bundle.ts';
export type * from './types.ts';
