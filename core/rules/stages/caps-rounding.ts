/**
 * Stage 7, rounding and caps.
 *
 * Rounding (format 2, the default for new bundles): the purchase's micro-points are added up and rounded once
 * with the bundle's mode (floor by default, half_up, ceil); each line keeps its whole points, and the points the
 * rounding leaves over go one each to the lines with the largest fractions of a point, the lower line number
 * first on a tie (largest remainder). So a gold member (×1.5) buying ten 1-yuan items earns 15 points, not 10,
 * and each line still knows exactly what a refund of it takes back. Format 1 (bundles stored before formats
 * existed) rounds each line on its own. A line that gets a point from rounding gets a "rounding" trace entry.
 *
 * Then the caps: the points the lines earn in this transaction may not exceed the per-transaction cap, nor what
 * is left of the per-day cap after the points the member already earned today. A cap scales the lines down in
 * proportion (largest remainder), so a refund of one line still takes back exactly what that line kept.
 * Transaction bonuses are outside the caps.
 */
import { allocateProRata } from '../allocate.ts';
import { MICRO, roundMicro } from '../decimal.ts';
import type { LineState, PurchaseState } from './state.ts';
import { traceText } from '../trace-text.ts';

export function applyRoundingAndCaps(state: PurchaseState): void {
  const { capPerTransaction, capPerDay, roundOncePerPurchase } = state.compiled.settings;
  if (roundOncePerPurchase) roundOnce(state);
  else roundEachLine(state);
  let total = 0;
  for (const line of state.lines) total += line.points;

  const dayLeft = capPerDay === null ? Number.POSITIVE_INFINITY : Math.max(0, capPerDay - (state.ctx.member.pointsEarnedToday ?? 0));
  const transactionLeft = capPerTransaction ?? Number.POSITIVE_INFINITY;
  const allowed = Math.min(dayLeft, transactionLeft);
  if (total <= allowed) return;

  const byDay = dayLeft < transactionLeft;
  const ruleId = byDay ? 'cap:day' : 'cap:transaction';
  const said = byDay ? traceText('capPerDay', { cap: capPerDay ?? 0 }) : traceText('capPerTransaction', { cap: capPerTransaction ?? 0 });
  const kept = allocateProRata(allowed, state.lines.map((l) => l.points));
  state.lines.forEach((line, i) => {
    const keep = kept[i] ?? 0;
    if (keep !== line.points) state.trace.push({ ruleId, ...said, lineNo: line.input.lineNo, points: keep - line.points });
    line.points = keep;
  });
}

/** Format 1: each line rounds its own micro-points. */
function roundEachLine(state: PurchaseState): void {
  const { rounding } = state.compiled.settings;
  for (const line of state.lines) {
    const points = Math.max(0, roundMicro(line.micro, rounding));
    const floored = Math.floor(line.micro / MICRO);
    if (points !== floored) state.trace.push({ ruleId: 'rounding', ...traceText('rounding', { mode: rounding }), lineNo: line.input.lineNo, points: points - floored });
    line.points = points;
  }
}

/** Format 2: the purchase rounds once; the points left over after each line's whole points go by largest remainder. */
function roundOnce(state: PurchaseState): void {
  const { rounding } = state.compiled.settings;
  let totalMicro = 0;
  let floored = 0;
  for (const line of state.lines) {
    const micro = Math.max(0, line.micro);
    line.points = Math.floor(micro / MICRO);
    floored += line.points;
    totalMicro += micro;
  }
  let left = roundMicro(totalMicro, rounding) - floored;
  if (left <= 0) return;
  // Fewer points are left than lines with a fraction (each fraction is under one point): one each, largest first.
  const byRemainder: LineState[] = state.lines.filter((line) => line.micro > 0 && line.micro % MICRO !== 0);
  byRemainder.sort((a, b) => (b.micro % MICRO) - (a.micro % MICRO) || a.input.lineNo - b.input.lineNo);
  for (const line of byRemainder) {
    if (left === 0) break;
    line.points += 1;
    left -= 1;
    state.trace.push({ ruleId: 'rounding', ...traceText('purchaseRounding', { mode: rounding }), lineNo: line.input.lineNo, points: 1 });
  }
}
