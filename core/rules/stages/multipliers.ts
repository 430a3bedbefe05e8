/**
 * Stage 5, multipliers on base points: tier multipliers, time-window promotions, store-scoped promotions.
 * All that apply to a line are gathered in priority order (`stop` ends the gathering), then combined as the
 * bundle says: multiply (×1.5 then ×2 = ×3, the default), highest only, or add (1 + 0.5 + 1 = ×2.5).
 *
 * Each multiplier's trace entry is the change in whole (floored) points it caused, so the trace entries of a
 * line add up to the line's points.
 */
import { MICRO, mulDiv, SCALE } from '../decimal.ts';
import type { CompiledMultiplier, LabelledValue } from '../compiled-types.ts';
import type { PurchaseState } from './state.ts';
import { candidatesFor } from '../line-index.ts';

export function applyMultipliers(state: PurchaseState): void {
  const { multipliers } = state.compiled.stages;
  const active = state.active;
  const candidates: CompiledMultiplier[] = [];
  const stacking = state.compiled.settings.multiplierStacking;
  const tier = state.facts.tier;
  // Reused across lines: the rules and factors that apply to the current line, `count` of them.
  const rules: CompiledMultiplier[] = [];
  const factors: LabelledValue[] = [];
  for (const line of state.lines) {
    line.micro = line.baseMicro;
    if (line.baseMicro === 0 || multipliers.all.length === 0) continue;
    let count = 0;
    for (const rule of candidatesFor(multipliers, line.input, candidates)) {
      if (active[rule.ordinal] === 0 || (rule.needsLineCheck && !rule.matchesLine!(line.input))) continue;
      const factor = rule.factor ?? rule.byTier?.get(tier);
      if (factor === undefined) continue;
      rules[count] = rule;
      factors[count] = factor;
      count += 1;
      if (rule.stop) break;
    }
    if (count === 0) continue;
    // Plain loops, no per-line closures: this runs for every line of every basket.
    const lineNo = line.input.lineNo;
    const base = line.baseMicro;
    let current = base;
    let currentPoints = Math.floor(base / MICRO);
    if (stacking === 'highest') {
      let best = 0;
      for (let i = 1; i < count; i++) if (factors[i]!.scaled > factors[best]!.scaled) best = i;
      current = mulDiv(base, factors[best]!.scaled, SCALE);
      state.trace.push({ ruleId: rules[best]!.id, label: factors[best]!.label, text: factors[best]!.text, lineNo, points: Math.floor(current / MICRO) - currentPoints });
    } else {
      const adding = stacking === 'add';
      for (let i = 0; i < count; i++) {
        const factor = factors[i]!;
        current = adding ? current + mulDiv(base, factor.scaled - SCALE, SCALE) : mulDiv(current, factor.scaled, SCALE);
        const points = Math.floor(current / MICRO);
        state.trace.push({ ruleId: rules[i]!.id, label: factor.label, text: factor.text, lineNo, points: points - currentPoints });
        currentPoints = points;
      }
    }
    line.micro = current;
  }
}
