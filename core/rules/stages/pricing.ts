/**
 * Stage 2, price and discounts: member prices replace the shelf price when lower (first matching rule by
 * priority), then percentage discounts apply one after another on what is left (priority order, `stop`
 * ends the chain for that line). A discount rounds down to whole cents: the fraction of a cent stays with
 * the shop, so the same basket always costs the same on every machine.
 */
import { mulDiv, SCALE } from '../decimal.ts';
import { candidatesFor } from '../line-index.ts';
import type { CompiledDiscount, CompiledMemberPrice } from '../compiled-types.ts';
import type { PurchaseState } from './state.ts';

export function applyPrices(state: PurchaseState): void {
  const { memberPrices, discounts } = state.compiled.stages;
  const active = state.active;
  const tier = state.facts.tier;
  const priceCandidates: CompiledMemberPrice[] = [];
  const discountCandidates: CompiledDiscount[] = [];
  for (const line of state.lines) {
    const input = line.input;
    line.grossCents = input.qty * input.unitPriceCents;
    let net = line.grossCents;

    for (const rule of candidatesFor(memberPrices, input, priceCandidates)) {
      if (active[rule.ordinal] === 0) continue;
      const price = rule.priceBySku.get(input.sku);
      if (price === undefined || price >= input.unitPriceCents) continue;
      const memberNet = input.qty * price;
      state.trace.push({ ruleId: rule.id, label: rule.label, text: rule.text, lineNo: input.lineNo, cents: memberNet - net });
      net = memberNet;
      break;
    }

    for (const rule of candidatesFor(discounts, input, discountCandidates)) {
      if (active[rule.ordinal] === 0 || (rule.needsLineCheck && !rule.matchesLine!(input))) continue;
      const percent = rule.percentOff ?? rule.percentOffByTier?.get(tier);
      if (percent === undefined) continue;
      const off = mulDiv(net, percent.scaled, 100 * SCALE);
      if (off > 0) state.trace.push({ ruleId: rule.id, label: percent.label, text: percent.text, lineNo: input.lineNo, cents: -off });
      net -= off;
      if (rule.stop) break;
    }

    line.netCents = net;
    line.discountCents = line.grossCents - net;
  }
}
