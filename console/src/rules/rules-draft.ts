/**
 * The Rules page's pure helpers (checked without a browser by rules-draft.test.ts): the draft as text, the
 * common rules the form edits — the base earn rate and the tier multipliers — read from the draft or, when the
 * draft does not set them, from what the scope inherits; and a line diff of two texts.
 *
 * The form writes a rule into the draft by its id: a rule the draft has is changed in place, an inherited one is
 * copied into the draft with the new value (merging replaces a rule with the same id: core/config/merge-config.ts).
 */
export type Json = Record<string, unknown>;
interface RuleLike {
  kind?: unknown;
  id?: unknown;
  rate?: unknown;
  byTier?: unknown;
  categories?: unknown;
  skus?: unknown;
  [key: string]: unknown;
}

/** JSON with sorted keys, two spaces: equal content, equal text, so the diff shows only what changed. */
export function stableText(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v as Json).sort().map((k) => [k, sort((v as Json)[k])]));
    return v;
  };
  return JSON.stringify(sort(value ?? {}), null, 2);
}

const rulesOf = (bundle: Json | null | undefined): RuleLike[] => (Array.isArray(bundle?.rules) ? (bundle.rules as RuleLike[]) : []);

/** The base earn rate's rule: the first `earn_rate` with a single rate for every line (no tier, category or SKU filter). */
function isBaseRate(r: RuleLike): boolean {
  return r.kind === 'earn_rate' && typeof r.rate === 'string' && r.categories === undefined && r.skus === undefined && r.tiers === undefined;
}
/** The tier multipliers' rule: the first `multiplier` by tier for every line. */
function isTierMultiplier(r: RuleLike): boolean {
  return r.kind === 'multiplier' && r.byTier !== null && typeof r.byTier === 'object' && r.categories === undefined && r.skus === undefined;
}

export interface CommonRules {
  /** Points per yuan, a decimal string; null when no such rule exists anywhere. */
  earnRate: string | null;
  earnRateRuleId: string | null;
  /** Tier → factor (decimal strings) for every tier of the ladder ('' where none is set). */
  multipliers: Record<string, string>;
  multiplierRuleId: string | null;
  /** The ladder's tiers, lowest first. */
  tiers: string[];
  /** Whether each comes from the draft (else inherited). */
  fromDraft: { earnRate: boolean; multipliers: boolean };
}

function find(draft: Json, inherited: Json, test: (r: RuleLike) => boolean): { rule: RuleLike | null; fromDraft: boolean } {
  const mine = rulesOf(draft).find(test);
  if (mine) return { rule: mine, fromDraft: true };
  const theirs = rulesOf(inherited).find(test);
  // The draft may replace the inherited rule by id with one the test does not match (a category rate): then it has none.
  if (theirs && rulesOf(draft).some((r) => r.id === theirs.id)) return { rule: null, fromDraft: true };
  return { rule: theirs ?? null, fromDraft: false };
}

export function readCommon(draft: Json, inherited: Json): CommonRules {
  const rate = find(draft, inherited, isBaseRate);
  const mult = find(draft, inherited, isTierMultiplier);
  const ladder = (((draft.tiers as Json | undefined)?.ladder ?? (inherited.tiers as Json | undefined)?.ladder) as { tier: string }[] | undefined) ?? [];
  const tiers = ladder.map((s) => s.tier);
  const byTier = (mult.rule?.byTier as Record<string, string> | undefined) ?? {};
  for (const tier of Object.keys(byTier)) if (!tiers.includes(tier)) tiers.push(tier);
  return {
    earnRate: (rate.rule?.rate as string | undefined) ?? null,
    earnRateRuleId: typeof rate.rule?.id === 'string' ? rate.rule.id : null,
    multipliers: Object.fromEntries(tiers.map((t) => [t, byTier[t] ?? ''])),
    multiplierRuleId: typeof mult.rule?.id === 'string' ? mult.rule.id : null,
    tiers,
    fromDraft: { earnRate: rate.fromDraft, multipliers: mult.fromDraft },
  };
}

/** The draft with `rule` (by id) in its rules: replaced in place, or added at the end. */
function putRule(draft: Json, rule: RuleLike): Json {
  const rules = [...rulesOf(draft)];
  const at = rules.findIndex((r) => r.id === rule.id);
  if (at >= 0) rules[at] = rule;
  else rules.push(rule);
  return { ...draft, rules };
}

/** The draft with the base earn rate set to `rate` (a new `base` rule when there is none anywhere). */
export function withEarnRate(draft: Json, inherited: Json, rate: string): Json {
  const { rule } = find(draft, inherited, isBaseRate);
  const next: RuleLike = { ...(rule ?? { kind: 'earn_rate', id: 'base' }), rate };
  // A label that names the old rate ("1 pt/yuan") would now be wrong on receipts: the engine makes one from the rate.
  if (typeof next.label === 'string' && typeof rule?.rate === 'string' && new RegExp(`(^|[^0-9.])${rule.rate.replace('.', '\\.')}([^0-9.]|$)`).test(next.label)) delete next.label;
  return putRule(draft, next);
}

/** The draft with the tier multipliers set (tiers given '' or '1' are left out). */
export function withMultipliers(draft: Json, inherited: Json, multipliers: Record<string, string>): Json {
  const { rule } = find(draft, inherited, isTierMultiplier);
  const byTier = Object.fromEntries(Object.entries(multipliers).filter(([, f]) => f.trim() !== '' && f.trim() !== '1').map(([t, f]) => [t, f.trim()]));
  return putRule(draft, { ...(rule ?? { kind: 'multiplier', id: 'tier-multipliers' }), byTier });
}

export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
  /** Line numbers in the old and the new text (null on the side that lacks it). */
  old: number | null;
  new: number | null;
}

/** A line diff by longest common subsequence (rules texts are a few hundred lines: quadratic is fine). */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) for (let j = m - 1; j >= 0; j -= 1) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i]!, old: i + 1, new: j + 1 });
      i += 1;
      j += 1;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push({ kind: 'removed', text: a[i]!, old: i + 1, new: null });
      i += 1;
    } else {
      out.push({ kind: 'added', text: b[j]!, old: null, new: j + 1 });
      j += 1;
    }
  }
  return out;
}

/** The diff with unchanged runs longer than 2 × `context` lines folded to a marker (null). */
export function foldDiff(lines: readonly DiffLine[], context = 3): (DiffLine | { kind: 'fold'; count: number })[] {
  const keep = lines.map((l, i) => l.kind !== 'same' || lines.slice(Math.max(0, i - context), i + context + 1).some((n) => n.kind !== 'same'));
  const out: (DiffLine | { kind: 'fold'; count: number })[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (keep[i]) out.push(lines[i]!);
    else {
      const last = out.at(-1);
      if (last && last.kind === 'fold') last.count += 1;
      else out.push({ kind: 'fold', count: 1 });
    }
  }
  return out;
}
