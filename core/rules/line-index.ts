/**
 * Which rules of a stage can concern a line, found by the line's category and SKU instead of asking every
 * rule. Rules filtered only by category are indexed by category, rules filtered only by SKU by SKU, and the
 * rest (no filter, or both kinds) are checked for every line. A line's candidates are the lists merged back
 * into priority order (ordinal), so "first match wins" and `stop` keep their meaning. Category lists are
 * merged with the generic list once, at compile time; only a SKU-indexed rule makes a merge at evaluation.
 */
import type { PurchaseLineInput } from './types.ts';

export interface IndexedRule {
  /** Position in priority order across the whole bundle: lower runs first. */
  ordinal: number;
  /** True when the line filter still has to be checked for a candidate (rules in the generic list). */
  needsLineCheck: boolean;
  matchesLine: ((line: PurchaseLineInput) => boolean) | null;
}

export interface LineIndex<T extends IndexedRule> {
  all: T[];
  /** Per category: its rules and the generic rules, in priority order. */
  byCategoryWithGeneric: Map<string, T[]>;
  bySku: Map<string, T[]>;
  generic: T[];
}

/** `filterOf` says which categories and SKUs a rule is limited to (null: not limited that way). */
export function buildLineIndex<T extends IndexedRule>(rules: T[], filterOf: (rule: T) => { categories: string[] | null; skus: string[] | null }): LineIndex<T> {
  const byCategory = new Map<string, T[]>();
  const index: LineIndex<T> = { all: rules, byCategoryWithGeneric: new Map(), bySku: new Map(), generic: [] };
  for (const rule of rules) {
    const { categories, skus } = filterOf(rule);
    if (categories !== null && skus === null) {
      for (const category of new Set(categories)) push(byCategory, category, rule);
      rule.needsLineCheck = false;
    } else if (skus !== null && categories === null) {
      for (const sku of new Set(skus)) push(index.bySku, sku, rule);
      rule.needsLineCheck = false;
    } else {
      index.generic.push(rule);
      rule.needsLineCheck = rule.matchesLine !== null;
    }
  }
  for (const [category, list] of byCategory) index.byCategoryWithGeneric.set(category, merge(list, index.generic, []));
  return index;
}

function push<T>(map: Map<string, T[]>, key: string, rule: T): void {
  const list = map.get(key);
  if (list) list.push(rule);
  else map.set(key, [rule]);
}

/**
 * The line's candidate rules in priority order. Returns a precomputed list when it can; merges into `out`
 * (reused to spare allocations) only when a SKU-indexed rule concerns the line. Callers must not modify it.
 */
export function candidatesFor<T extends IndexedRule>(index: LineIndex<T>, line: PurchaseLineInput, out: T[]): T[] {
  const byCategory = index.byCategoryWithGeneric.get(line.category) ?? index.generic;
  const bySku = index.bySku.get(line.sku);
  if (bySku === undefined) return byCategory;
  if (byCategory.length === 0) return bySku;
  return merge(byCategory, bySku, out);
}

/** Two lists sorted by ordinal → one, into `out`. */
function merge<T extends IndexedRule>(a: readonly T[], b: readonly T[], out: T[]): T[] {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) out[n++] = a[i]!.ordinal <= b[j]!.ordinal ? a[i++]! : b[j++]!;
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  if (out.length !== n) out.length = n;
  return out;
}
