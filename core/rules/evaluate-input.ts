/**
 * One evaluation of any kind the engine decides, from an input parsed by context-schema.ts: what
 * `memberkiosk rules eval` prints. The result is the engine function's own answer; `receipt` is its trace in
 * short form (shortTrace), `receiptZh` the same lines in Chinese. A refusal is the engine's CodedError, thrown as is (docs/RULES.md, "Refusals").
 */
import type { RulesBundle } from './bundle.ts';
import { evaluateCardUse } from './cards.ts';
import type { EvaluationInput, EvaluationKind } from './context-schema.ts';
import { evaluateEventBonus, evaluateManualBonus } from './evaluate-bonus.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { evaluateRegistration } from './evaluate-registration.ts';
import { evaluateTopUp } from './evaluate-top-up.ts';
import { evaluateRedeemGift } from './gifts.ts';
import { evaluatePointsRebate } from './points-rebate.ts';
import { reverseLines } from './refund.ts';
import { shortTrace, shortTraceIn } from './short-trace.ts';
import { evaluatePaidUpgrade, evaluateTier, evaluateTierCredit } from './tiers.ts';
import type { PurchaseEvaluation, TraceEntry } from './types.ts';

export interface InputEvaluation {
  kind: EvaluationKind;
  result: { trace: TraceEntry[] };
  receipt: string[];
  /** The receipt lines in Chinese (the engine's own texts rendered, HQ's labels as written). */
  receiptZh: string[];
  /** For a refund: the purchase it reverses, as evaluated under the same bundle. */
  purchase?: PurchaseEvaluation;
}

export function evaluateInput(bundle: RulesBundle, input: EvaluationInput): InputEvaluation {
  const answer = (result: { trace: TraceEntry[] }, purchase?: PurchaseEvaluation): InputEvaluation => ({
    kind: input.kind,
    result,
    receipt: shortTrace(result),
    receiptZh: shortTraceIn(result, 'zh-CN', bundle),
    ...(purchase ? { purchase } : {}),
  });
  switch (input.kind) {
    case 'purchase': {
      const { kind: _kind, ...ctx } = input;
      return answer(evaluatePurchase(bundle, ctx));
    }
    case 'top_up': {
      const { kind: _kind, ...ctx } = input;
      return answer(evaluateTopUp(bundle, ctx));
    }
    case 'registration': {
      const { kind: _kind, ...ctx } = input;
      return answer(evaluateRegistration(bundle, ctx));
    }
    case 'paid_upgrade':
      return answer(evaluatePaidUpgrade(bundle, { member: input.member, pointsBalance: input.pointsBalance, targetTier: input.targetTier }));
    case 'redeem_gift':
      return answer(evaluateRedeemGift(bundle, { giftId: input.giftId, qty: input.qty, pointsBalance: input.pointsBalance, ...(input.stockLeft === undefined ? {} : { stockLeft: input.stockLeft }) }));
    case 'tier_review':
      return answer(evaluateTier(bundle, { member: input.member, mode: input.mode, ...(input.periodFigure === undefined ? {} : { periodFigure: input.periodFigure }) }));
    case 'tier_credit':
      return answer(evaluateTierCredit(bundle, { member: input.member, source: input.source, points: input.points }));
    case 'event_bonus': {
      const { kind: _kind, ...ctx } = input;
      return answer(evaluateEventBonus(bundle, ctx));
    }
    case 'manual_bonus':
      return answer(evaluateManualBonus(bundle, { at: input.at, points: input.points, reason: input.reason, ...(input.tier === undefined ? {} : { tier: input.tier }) }));
    case 'refund': {
      const purchase = evaluatePurchase(bundle, input.purchase);
      return answer(reverseLines(purchase, input.lineNos, input.alreadyRefunded ?? []), purchase);
    }
    case 'card_use':
      return answer(evaluateCardUse(bundle, { at: input.at, serviceId: input.serviceId, punchesLeft: input.punchesLeft, validUntil: input.validUntil }));
    case 'points_rebate':
      return answer(evaluatePointsRebate(bundle, { tier: input.tier, pointsBalance: input.pointsBalance, ...(input.stockLeft === undefined ? {} : { stockLeft: input.stockLeft }) }));
  }
}
