/**
 * Deposit bonus: top up 500 get 50. The highest band the amount reaches pays its bonus, credited to the
 * bonus-value account (spent after principal, never refunded as cash). With several deposit_bonus rules in
 * force the first by priority that pays wins: bonuses on one top-up do not add up.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import { applying } from './stages/eligibility.ts';
import type { TopUpContext, TopUpEvaluation } from './types.ts';

export function evaluateTopUp(bundle: RulesBundle, ctx: TopUpContext): TopUpEvaluation {
  if (!Number.isSafeInteger(ctx.amountCents)) throw new CodedError('MONEY_NOT_INTEGER', 'top-up amount must be whole cents');
  if (ctx.amountCents <= 0) throw new CodedError('AMOUNT_NOT_POSITIVE', 'top-up amount must be positive');
  const compiled = compileBundle(bundle);
  const facts = { storeId: ctx.storeId, regionId: ctx.regionId, tier: ctx.member.tier, local: compiled.clock.at(ctx.at) };
  for (const rule of applying(compiled.stages.depositBonuses, facts)) {
    let bonusCents = 0;
    for (const band of rule.bands) if (ctx.amountCents >= band.minCents) bonusCents = band.bonusCents;
    if (bonusCents > 0) {
      return { bundleVersion: compiled.version, bonusValueCents: bonusCents, trace: [{ ruleId: rule.id, label: rule.label, cents: bonusCents }] };
    }
  }
  return { bundleVersion: compiled.version, bonusValueCents: 0, trace: [] };
}
