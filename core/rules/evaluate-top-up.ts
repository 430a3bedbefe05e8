/**
 * Deposit bonus: top up 500 get 50 (deposit_bonus, fixed bands), or top-up × ratio (deposit_ratio, 赠款比例, with
 * bands and caps per top-up and per member per day). The highest band the amount reaches pays its bonus,
 * credited to the bonus-value account (spent after principal, never refunded as cash). With several deposit
 * rules in force the first by priority that pays wins: bonuses on one top-up do not add up.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import type { CompiledDepositBonus, CompiledDepositRatio } from './compiled-types.ts';
import { mulDiv, SCALE, scaledToDecimal } from './decimal.ts';
import { applying } from './stages/eligibility.ts';
import type { TopUpContext, TopUpEvaluation } from './types.ts';
import type { TraceText } from './trace-keys.ts';
import { traceText } from './trace-text.ts';

export function evaluateTopUp(bundle: RulesBundle, ctx: TopUpContext): TopUpEvaluation {
  if (!Number.isSafeInteger(ctx.amountCents)) throw new CodedError('MONEY_NOT_INTEGER', 'top-up amount must be whole cents');
  if (ctx.amountCents <= 0) throw new CodedError('AMOUNT_NOT_POSITIVE', 'top-up amount must be positive');
  const bonusToday = ctx.bonusTodayCents ?? 0;
  if (!Number.isSafeInteger(bonusToday) || bonusToday < 0) throw new CodedError('MONEY_NOT_INTEGER', 'bonusTodayCents must be whole cents');
  const compiled = compileBundle(bundle);
  const facts = { storeId: ctx.storeId, regionId: ctx.regionId, tier: ctx.member.tier, local: compiled.clock.at(ctx.at) };
  for (const rule of applying(compiled.stages.depositBonuses, facts)) {
    const paid = rule.kind === 'deposit_bonus' ? fixedBonus(rule, ctx.amountCents) : ratioBonus(rule, ctx.amountCents, bonusToday);
    if (paid.cents > 0) {
      return { bundleVersion: compiled.version, bonusValueCents: paid.cents, trace: [{ ruleId: rule.id, label: paid.label ?? rule.label, text: paid.label !== undefined ? paid.text : rule.text, cents: paid.cents }] };
    }
  }
  return { bundleVersion: compiled.version, bonusValueCents: 0, trace: [] };
}

function fixedBonus(rule: CompiledDepositBonus, amountCents: number): { cents: number; label?: string; text?: TraceText } {
  let cents = 0;
  for (const band of rule.bands) if (amountCents >= band.minCents) cents = band.bonusCents;
  return { cents };
}

/** floor(amount × ratio), then the per-top-up cap, then what the per-day cap leaves after bonusTodayCents. */
function ratioBonus(rule: CompiledDepositRatio, amountCents: number, bonusTodayCents: number): { cents: number; label: string; text: TraceText } {
  let ratioScaled = 0;
  for (const band of rule.bands) if (amountCents >= band.minCents) ratioScaled = band.ratioScaled;
  let cents = mulDiv(amountCents, ratioScaled, SCALE);
  let capped = false;
  let dailyCap = false;
  if (rule.capCents !== null && cents > rule.capCents) {
    cents = rule.capCents;
    capped = true;
  }
  if (rule.capPerDayCents !== null) {
    const left = Math.max(0, rule.capPerDayCents - bonusTodayCents);
    if (cents > left) {
      cents = left;
      dailyCap = true;
    }
  }
  // HQ's label (a rule with a text has none) names the bonus; the ratio and caps are the engine's words.
  return { cents, ...traceText('depositRatio', { ratio: scaledToDecimal(ratioScaled), capped, dailyCap, ...(rule.text ? {} : { name: rule.label }) }) };
}
