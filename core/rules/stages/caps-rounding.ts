/**
 * Stage 7, rounding and caps. Each line's micro-points round to whole points (floor by default; half_up and
 * ceil add a "rounding" trace entry when they round up). Then the caps: the points the lines earn in this
 * transaction may not exceed the per-transaction cap, nor what is left of the per-day cap after the points
 * the member already earned today. A cap scales the lines down in proportion (largest remainder), so a
 * refund of one line still takes back exactly what that line kept. Transaction bonuses are outside the caps.
 */
import { allocateProRata } from '../allocate.ts';
import { MICRO, roundMicro } from '../decimal.ts';
import type { PurchaseState } from './state.ts';

export function applyRoundingAndCaps(state: PurchaseState): void {
  const { rounding, capPerTransaction, capPerDay } = state.compiled.settings;
  let total = 0;
  for (const line of state.lines) {
    const points = Math.max(0, roundMicro(line.micro, rounding));
    const floored = Math.floor(line.micro / MICRO);
    if (points !== floored) state.trace.push({ ruleId: 'rounding', label: `rounding (${rounding})`, lineNo: line.input.lineNo, points: points - floored });
    line.points = points;
    total += points;
  }

  const dayLeft = capPerDay === null ? Number.POSITIVE_INFINITY : Math.max(0, capPerDay - (state.ctx.member.pointsEarnedToday ?? 0));
  const transactionLeft = capPerTransaction ?? Number.POSITIVE_INFINITY;
  const allowed = Math.min(dayLeft, transactionLeft);
  if (total <= allowed) return;

  const byDay = dayLeft < transactionLeft;
  const ruleId = byDay ? 'cap:day' : 'cap:transaction';
  const label = byDay ? `daily cap ${capPerDay}` : `cap ${capPerTransaction}/transaction`;
  const kept = allocateProRata(allowed, state.lines.map((l) => l.points));
  state.lines.forEach((line, i) => {
    const keep = kept[i] ?? 0;
    if (keep !== line.points) state.trace.push({ ruleId, label, lineNo: line.input.lineNo, points: keep - line.points });
    line.points = keep;
  });
}
