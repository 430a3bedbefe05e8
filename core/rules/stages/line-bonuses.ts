/**
 * Stage 6, fixed bonuses on lines: a promoted product's points per unit (a new product: +100 points each).
 * They come on top of multiplied points and are not multiplied. They belong to the line, so refunding the
 * line takes them back.
 */
import { MICRO } from '../decimal.ts';
import type { PurchaseState } from './state.ts';
import type { CompiledProductBonus } from '../compiled-types.ts';
import { candidatesFor } from '../line-index.ts';

export function applyLineBonuses(state: PurchaseState): void {
  const { productBonuses } = state.compiled.stages;
  if (productBonuses.all.length === 0) return;
  const active = state.active;
  const candidates: CompiledProductBonus[] = [];
  for (const line of state.lines) {
    for (const rule of candidatesFor(productBonuses, line.input, candidates)) {
      if (rule.pointsPerUnit === 0 || active[rule.ordinal] === 0) continue;
      const points = rule.pointsPerUnit * line.input.qty;
      line.micro += points * MICRO;
      state.trace.push({ ruleId: rule.id, label: rule.pointsLabel, text: rule.pointsText, lineNo: line.input.lineNo, points });
      if (rule.stop) break;
    }
  }
}
