/**
 * Stage 8, transaction bonuses: event participation bonuses for this member, and referral awards for the
 * member's referrers (level 1 = nearest). Neither belongs to a line: a line refund does not take them back.
 */
import { MICRO, mulDiv } from '../decimal.ts';
import type { ReferralAward } from '../types.ts';
import type { CompiledReferral } from '../compiled-types.ts';
import type { PurchaseState } from './state.ts';
import { activeOf } from './eligibility.ts';
import { traceText } from '../trace-text.ts';

export function eventBonuses(state: PurchaseState): { ruleId: string; points: number; label: string }[] {
  const eventIds = state.ctx.eventIds;
  const bonuses: { ruleId: string; points: number; label: string }[] = [];
  if (!eventIds || eventIds.length === 0) return bonuses;
  for (const rule of activeOf(state.compiled.stages.eventBonuses, state.active)) {
    if (!eventIds.includes(rule.eventId)) continue;
    bonuses.push({ ruleId: rule.id, points: rule.points, label: rule.label });
    state.trace.push({ ruleId: rule.id, label: rule.label, text: rule.text, points: rule.points });
    if (rule.stop) break;
  }
  return bonuses;
}

/** Referral awards on a purchase: fixed points and/or points per yuan of what was paid with money. */
export function purchaseReferralAwards(state: PurchaseState, paidWithMoneyCents: number): ReferralAward[] {
  const chain = state.ctx.member.referrerChain ?? [];
  if (chain.length === 0) return [];
  return referralAwards(
    activeOf(state.compiled.stages.referrals, state.active).filter((r) => r.onPurchase),
    chain,
    paidWithMoneyCents,
    (award, said) => state.trace.push({ ruleId: award.ruleId, ...said, points: award.points }),
  );
}

/** Shared by purchases and registrations: one award per referrer level the rule defines, nearest first. */
export function referralAwards(
  rules: CompiledReferral[],
  chain: readonly string[],
  paidCents: number,
  traced: (award: ReferralAward, said: ReturnType<typeof traceText>) => void,
): ReferralAward[] {
  const awards: ReferralAward[] = [];
  for (const rule of rules) {
    rule.levels.forEach((level, i) => {
      const memberId = chain[i];
      if (memberId === undefined) return;
      const points = level.points + mulDiv(paidCents, level.rateScaled, MICRO);
      if (points === 0) return;
      const award = { ruleId: rule.id, memberId, level: i + 1, points };
      awards.push(award);
      // HQ's label (a rule with a text has none) names the award; the level and referrer are the engine's words.
      traced(award, traceText('referralAward', { level: i + 1, memberId, ...(rule.text ? {} : { name: rule.label }) }));
    });
    if (rule.stop) break;
  }
  return awards;
}
