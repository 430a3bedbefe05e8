/**
 * Registration: welcome points for the new member, and multi-level referral points for the chain of
 * referrers. C registers with B as referrer, B was referred by A: referrerChain ['B', 'A'] → B gets the
 * level-1 amount, A the level-2 amount.
 */
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import { expiryFrom } from './expiry.ts';
import { applying } from './stages/eligibility.ts';
import { referralAwards } from './stages/transaction-bonuses.ts';
import type { RegistrationContext, RegistrationEvaluation, TraceEntry } from './types.ts';

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
    trace.push({ ruleId: rule.id, label: rule.label, points: rule.points });
    if (rule.stop) break;
  }
  const referralRules = applying(compiled.stages.referrals, facts).filter((r) => r.onRegistration);
  const awards = referralAwards(referralRules, ctx.referrerChain, 0, (award, label) => trace.push({ ruleId: award.ruleId, label, points: award.points }));
  return { bundleVersion: compiled.version, tier: facts.tier, points, pointsExpireAt: expiryFrom(compiled, local), referralAwards: awards, trace };
}
