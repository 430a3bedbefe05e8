/**
 * Stage 1, eligibility: which rules apply to this transaction at all (enabled, member tier, store or region
 * scope, local time window). The answer is a mask indexed by rule ordinal, so the line stages can test a
 * candidate with one array read. Line filters (category, SKU) are handled per line through the line index.
 */
import type { CompiledBundle, TransactionFacts } from '../compiled-types.ts';

export function activeMask(compiled: CompiledBundle, facts: TransactionFacts): Uint8Array {
  const { all, conditionGroups } = compiled.stages;
  const groupHolds = new Uint8Array(conditionGroups.length);
  for (let g = 0; g < conditionGroups.length; g++) if (conditionGroups[g]!(facts)) groupHolds[g] = 1;
  const mask = new Uint8Array(all.length);
  for (let i = 0; i < all.length; i++) mask[i] = groupHolds[all[i]!.conditionGroup]!;
  return mask;
}

export function applying<T extends { appliesTo: (facts: TransactionFacts) => boolean }>(rules: T[], facts: TransactionFacts): T[] {
  if (rules.length === 0) return rules;
  const result: T[] = [];
  for (const rule of rules) if (rule.appliesTo(facts)) result.push(rule);
  return result;
}

/** The rules of a non-line stage that the mask says apply. */
export function activeOf<T extends { ordinal: number }>(rules: T[], mask: Uint8Array): T[] {
  const result: T[] = [];
  for (const rule of rules) if (mask[rule.ordinal] === 1) result.push(rule);
  return result;
}
