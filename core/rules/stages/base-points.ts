/**
 * Stage 4, base points: every line gets its base rate from the first rule, by priority, that gives it one:
 * an earn_rate (one rate, per tier or per category) or spend_bands. Promoted products then add their extra
 * points per yuan on top of the base rate. All in micro-points, so nothing is rounded until stage 7.
 *
 * Spend bands look at the amount of the matching lines (transaction basis) or the member's cumulative spend
 * including it (cumulative basis). The rule's `bandAmount` says which amount: the bill (net of discounts, however
 * paid), the part paid with money, or the earning amount (after the points share and the payment earn factors).
 * Whole mode applies the rate of the band the amount ends in to the lines' earning amounts; marginal mode charges
 * each slice of the amount at its own band's rate, scales that to the earning amount (bill 6000 yuan worth 9000
 * points, 2000 yuan of it earning → 3000) and shares the total's whole points over the lines by earning amount
 * (largest remainder), so rounding does not lose points the basket earned.
 */
import { allocateProRata } from '../allocate.ts';
import { MICRO, mulDiv } from '../decimal.ts';
import type { BaseRateRule, CompiledProductBonus, CompiledSpendBands, LabelledValue } from '../compiled-types.ts';
import { candidatesFor } from '../line-index.ts';
import type { LineState, PurchaseState } from './state.ts';
import type { TraceText } from '../trace-keys.ts';

export function applyBasePoints(state: PurchaseState): void {
  const { baseRates, productBonuses } = state.compiled.stages;
  const active = state.active;
  // Spend-band outcomes are per transaction: worked out on first use, then shared by the lines.
  const bands = new Map<CompiledSpendBands, BandOutcome>();
  const rateCandidates: BaseRateRule[] = [];
  const bonusCandidates: CompiledProductBonus[] = [];
  for (const line of state.lines) {
    line.baseMicro = 0;
    for (const rule of candidatesFor(baseRates, line.input, rateCandidates)) {
      if (active[rule.ordinal] === 0 || (rule.needsLineCheck && !rule.matchesLine!(line.input))) continue;
      const outcome = rule.kind === 'earn_rate' ? earnRate(rule, line, state.facts.tier) : spendBandLine(rule, line, state, bands);
      if (outcome === null) continue;
      line.baseMicro = outcome.micro;
      state.trace.push({ ruleId: rule.id, label: outcome.label, text: outcome.text, lineNo: line.input.lineNo, points: Math.floor(outcome.micro / MICRO) });
      break;
    }
    let previousPoints = Math.floor(line.baseMicro / MICRO);
    for (const rule of candidatesFor(productBonuses, line.input, bonusCandidates)) {
      if (rule.extraRate === null || active[rule.ordinal] === 0) continue;
      line.baseMicro += line.earningCents * rule.extraRate.scaled;
      const points = Math.floor(line.baseMicro / MICRO);
      state.trace.push({ ruleId: rule.id, label: rule.extraRate.label, text: rule.extraRate.text, lineNo: line.input.lineNo, points: points - previousPoints });
      previousPoints = points;
      if (rule.stop) break;
    }
  }
}

interface LineOutcome {
  micro: number;
  label: string;
  text: TraceText | undefined;
}

function earnRate(rule: BaseRateRule & { kind: 'earn_rate' }, line: LineState, tier: string): LineOutcome | null {
  const rate: LabelledValue | undefined = rule.rate ?? rule.byTier?.get(tier) ?? rule.byCategory?.get(line.input.category);
  if (rate === undefined) return null;
  return { micro: line.earningCents * rate.scaled, label: rate.label, text: rate.text };
}

interface BandOutcome {
  /** whole mode: the band's rate; marginal: null */
  rate: LabelledValue | null;
  /** marginal mode: each matching line's share, in micro-points */
  microByLine: Map<LineState, number>;
}

function spendBandLine(rule: CompiledSpendBands, line: LineState, state: PurchaseState, cache: Map<CompiledSpendBands, BandOutcome>): LineOutcome {
  let outcome = cache.get(rule);
  if (!outcome) {
    outcome = bandOutcome(rule, state);
    cache.set(rule, outcome);
  }
  if (outcome.rate !== null) return { micro: line.earningCents * outcome.rate.scaled, label: outcome.rate.label, text: outcome.rate.text };
  return { micro: outcome.microByLine.get(line) ?? 0, label: rule.marginalLabel, text: rule.marginalText };
}

/** The cents of one line that count towards picking the band. */
function bandCents(rule: CompiledSpendBands, line: LineState): number {
  switch (rule.bandAmount) {
    case 'bill':
      return line.netCents;
    case 'paid':
      return line.netCents - line.paidWithPointsCents;
    case 'earning':
      return line.earningCents;
  }
}

function bandOutcome(rule: CompiledSpendBands, state: PurchaseState): BandOutcome {
  const matching = state.lines.filter((line) => rule.matchesLine === null || rule.matchesLine(line.input));
  let amountCents = 0;
  let earningCents = 0;
  for (const line of matching) {
    amountCents += bandCents(rule, line);
    earningCents += line.earningCents;
  }
  const start = rule.basis === 'cumulative' ? state.ctx.member.cumulativeSpendCents : 0;
  const end = start + amountCents;
  if (rule.mode === 'whole') {
    const band = rule.bands.find((b) => end <= b.upToCents) ?? rule.bands[rule.bands.length - 1]!;
    return { rate: band.rate, microByLine: new Map() };
  }
  let totalMicro = 0;
  let bandStart = 0;
  for (const band of rule.bands) {
    const from = Math.max(start, bandStart);
    const to = Math.min(end, band.upToCents);
    if (to > from) totalMicro += (to - from) * band.rate.scaled;
    bandStart = band.upToCents;
    if (bandStart >= end) break;
  }
  // The bands price the band amount; the points are earned on the earning amount, at the same average rate.
  const earnedMicro = amountCents === earningCents ? totalMicro : amountCents === 0 ? 0 : mulDiv(totalMicro, earningCents, amountCents);
  const points = allocateProRata(Math.floor(earnedMicro / MICRO), matching.map((line) => line.earningCents));
  return { rate: null, microByLine: new Map(matching.map((line, i) => [line, (points[i] ?? 0) * MICRO])) };
}
