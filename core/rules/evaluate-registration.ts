/**
 * Registration: welcome points for the new member, and multi-level referral points for the chain of
 * referrers. C registers with B as referrer, B was referred by A: referrerChain ['B', 'A'] → B gets the
 * level-1 amount, A the level-2 amount. The new member starts in the ladder's entry tier, or higher when a
 * welcome bonus that counts towards tiers reaches a threshold; each referrer's award runs the same upgrade check
 * in the ledger (evaluateTierCredit), which knows the referrers' figures.
 */
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import { expiryFrom } from './expiry.ts';
import { applying } from './stages/eligibility.ts';
import { referralAwards } from './stages/transaction-bonuses.ts';
import { evaluateTierCredit } from './tiers.ts';
import type { RegistrationContext, RegistrationEvaluation, TraceEntry } from './types.ts';
import { traceText } from './trace-text.ts';

/** The tier a new member starts in: the ladder's entry tier. */
function entryTier(bundle: RulesBundle): string {
  return bundle.tiers?.ladder[0]?.tier ?? 'standard';
}

export function evaluateRegistration(bundle: RulesBundle, ctx: RegistrationContext): RegistrationEvaluation {
  const compiled = compileBundle(bundle);
  const local = compiled.clock.at(ctx.at);
  const facts = { storeId: ctx.storeId, regionId: ctx.regionId, tier: entryTier(bundle), local };
  const trace: TraceEntry[] = [];
  let points = 0;
  for (const rule of applying(compiled.stages.registrationBonuses, facts)) {
    points += rule.points;
    trace.push({ ruleId: rule.id, label: rule.label, text: rule.text, points: rule.points });
    if (rule.stop) break;
  }
  // A welcome bonus that counts towards a points tier may reach one at once: the new member starts there.
  const credit = evaluateTierCredit(bundle, { member: { memberId: ctx.memberId, tier: facts.tier, cumulativeSpendCents: 0, cumulativePointsEarned: 0 }, source: 'registration', points });
  if (credit.tierAfter !== null) trace.push({ ruleId: 'tiers', ...traceText('tierUpgrade', { tier: credit.tierAfter }) });
  const referralRules = applying(compiled.stages.referrals, facts).filter((r) => r.onRegistration);
  const awards = referralAwards(referralRules, ctx.referrerChain, 0, (award, said) => trace.push({ ruleId: award.ruleId, ...said, points: award.points }));
  return { bundleVersion: compiled.version, tier: credit.tierAfter ?? facts.tier, points, pointsExpireAt: expiryFrom(compiled, local, credit.tierAfter ?? facts.tier), referralAwards: awards, trace };
}
