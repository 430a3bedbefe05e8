/**
 * Bonuses outside a purchase: taking part in an event (event_bonus rules) and a manual bonus with a reason
 * (HQ or a store manager, audited by the ledger). The bundle can cap manual bonuses and list allowed reasons.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import { expiryFrom } from './expiry.ts';
import { applying } from './stages/eligibility.ts';
import type { MemberContext, TraceEntry } from './types.ts';
import { traceText } from './trace-text.ts';

export interface BonusEvaluation {
  bundleVersion: number;
  points: number;
  pointsExpireAt: string | null;
  trace: TraceEntry[];
}

export interface EventContext {
  at: string;
  storeId: string;
  regionId?: string;
  member: MemberContext;
  eventId: string;
}

/** Points for taking part in an event; 0 when no rule in force names the event. */
export function evaluateEventBonus(bundle: RulesBundle, ctx: EventContext): BonusEvaluation {
  const compiled = compileBundle(bundle);
  const local = compiled.clock.at(ctx.at);
  const facts = { storeId: ctx.storeId, regionId: ctx.regionId, tier: ctx.member.tier, local };
  const trace: TraceEntry[] = [];
  let points = 0;
  for (const rule of applying(compiled.stages.eventBonuses, facts)) {
    if (rule.eventId !== ctx.eventId) continue;
    points += rule.points;
    trace.push({ ruleId: rule.id, label: rule.label, text: rule.text, points: rule.points });
    if (rule.stop) break;
  }
  return { bundleVersion: compiled.version, points, pointsExpireAt: expiryFrom(compiled, local, ctx.member.tier), trace };
}

export interface ManualBonusContext {
  at: string;
  points: number;
  reason: string;
  /** The member's tier, for `points.expiryByTier`. */
  tier?: string;
}

/**
 * Validates a manual bonus against the bundle's limits. Refusals: AMOUNT_NOT_POSITIVE (not a positive whole
 * number), MANUAL_BONUS_REFUSED (no reason given), MANUAL_BONUS_OVER_MAX (over manualBonus.maxPoints),
 * MANUAL_BONUS_REASON_NOT_ALLOWED (a reason manualBonus.reasons does not list).
 */
export function evaluateManualBonus(bundle: RulesBundle, ctx: ManualBonusContext): BonusEvaluation {
  const compiled = compileBundle(bundle);
  if (!Number.isSafeInteger(ctx.points) || ctx.points <= 0) throw new CodedError('AMOUNT_NOT_POSITIVE', 'a manual bonus must be a positive whole number of points');
  const reason = ctx.reason.trim();
  if (reason === '') throw new CodedError('MANUAL_BONUS_REFUSED', 'a manual bonus needs a reason', { reason: 'manual_bonus_no_reason' });
  const limits = bundle.manualBonus;
  if (limits?.maxPoints !== undefined && ctx.points > limits.maxPoints) {
    throw new CodedError('MANUAL_BONUS_OVER_MAX', `a manual bonus may be at most ${limits.maxPoints} points`, { reason: 'manual_bonus_over_max', maxPoints: limits.maxPoints });
  }
  if (limits?.reasons !== undefined && !limits.reasons.includes(reason)) {
    throw new CodedError('MANUAL_BONUS_REASON_NOT_ALLOWED', `reason '${reason}' is not one of: ${limits.reasons.join(', ')}`, { reason: 'manual_bonus_reason', reasons: limits.reasons });
  }
  return {
    bundleVersion: compiled.version,
    points: ctx.points,
    pointsExpireAt: expiryFrom(compiled, compiled.clock.at(ctx.at), ctx.tier),
    trace: [{ ruleId: 'manualBonus', ...traceText('manualBonus', { reason }), points: ctx.points }],
  };
}
