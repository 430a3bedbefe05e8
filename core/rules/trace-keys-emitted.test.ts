/**
 * The engine keys every trace text it writes itself: across the example bundles and the `rules eval` baskets, an
 * entry either carries a key whose English rendering is exactly its label, or its label is HQ's (the rule it
 * names has a `label` in the bundle). A new generated text without a key fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RulesBundle } from './bundle.ts';
import { parseEvaluationInput, type EvaluationInput } from './context-schema.ts';
import { evaluateInput } from './evaluate-input.ts';
import { evaluateCardUse } from './cards.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { parseRulesBundle } from './parse.ts';
import { example, line, purchase } from './test-support/fixtures.ts';
import { TRACE_KEYS } from './trace-keys.ts';
import { renderTraceText } from './trace-text.ts';
import type { TraceEntry } from './types.ts';

const dir = (path: string) => new URL(path, import.meta.url);
const bundles = readdirSync(dir('./examples/')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
const inputs: EvaluationInput[] = readdirSync(dir('./examples/baskets/')).map((f) => {
  const parsed = parseEvaluationInput(JSON.parse(readFileSync(dir(`./examples/baskets/${f}`), 'utf8')));
  if (!parsed.ok) throw new Error(`${f}: ${JSON.stringify(parsed.issues)}`);
  return parsed.input;
});

function hqLabelled(bundle: RulesBundle, entry: TraceEntry): boolean {
  return bundle.rules.some((rule) => rule.id === entry.ruleId && rule.label === entry.label);
}

/** Every trace entry of every basket under every example bundle (refusals skipped: they have no trace). */
function allEntries(): { bundle: RulesBundle; name: string; entry: TraceEntry }[] {
  const out: { bundle: RulesBundle; name: string; entry: TraceEntry }[] = [];
  for (const name of bundles) {
    const bundle = example(name);
    for (const input of inputs) {
      let trace: TraceEntry[];
      try {
        trace = evaluateInput(bundle, input).result.trace;
      } catch {
        continue;
      }
      for (const entry of trace) out.push({ bundle, name, entry });
    }
  }
  return out;
}

describe('the engine keys the texts it writes', () => {
  const entries = allEntries();

  it('every entry is keyed (label = its English rendering) or carries HQ’s own label', () => {
    expect(entries.length).toBeGreaterThan(100);
    const unkeyed = entries.filter(({ bundle, entry }) => !entry.text && !hqLabelled(bundle, entry)).map(({ name, entry }) => `${name}: ${entry.ruleId} "${entry.label}"`);
    expect(unkeyed).toEqual([]);
    for (const { entry } of entries) if (entry.text) expect(renderTraceText(entry.text, 'en')).toBe(entry.label);
  });

  it('together with a few unlabelled rules below, every key is emitted by some evaluation', () => {
    const seen = new Set([...entries, ...unlabelledEntries()].flatMap(({ entry }) => (entry.text ? [entry.text.key] : [])));
    // ruleLabel is the ledger's (traceLinesOf), for HQ's labels: never the engine's.
    expect(TRACE_KEYS.filter((key) => !seen.has(key))).toEqual(['ruleLabel']);
  });

  it('writes the keys of rules HQ left unlabelled, with their parameters', () => {
    const byRule = new Map(unlabelledEntries().map(({ entry }) => [entry.ruleId, entry.text]));
    expect(byRule.get('member-price')).toEqual({ key: 'memberPrice', params: {} });
    expect(byRule.get('tier-off')).toEqual({ key: 'tierPercentOff', params: { tier: 'gold', percent: '5' } });
    expect(byRule.get('times-two')).toEqual({ key: 'multiplier', params: { factor: '2' } });
    expect(byRule.get('promo-unit')).toEqual({ key: 'productPerUnit', params: { points: 3 } });
    expect(byRule.get('cap:day')).toEqual({ key: 'capPerDay', params: { cap: 40 } });
  });
});

/** Rule kinds and settings the example bundles only use with HQ labels, or not at all. */
const UNLABELLED = parseRulesBundle({
  version: 1,
  points: { rounding: 'half_up', caps: { perDay: 40 } },
  tiers: { ladder: [{ tier: 'standard', from: 0 }, { tier: 'gold', from: 1000 }] },
  rules: [
    { kind: 'member_price', id: 'member-price', prices: { MILK: 900 } },
    { kind: 'discount', id: 'ten-off', categories: ['B'], percentOff: '10' },
    { kind: 'discount', id: 'tier-off', categories: ['C'], percentOffByTier: { gold: '5' } },
    { kind: 'earn_rate', id: 'tier-rate', byTier: { gold: '1.5' } },
    { kind: 'product_bonus', id: 'promo-rate', skus: ['MILK'], extraRate: '0.5' },
    { kind: 'product_bonus', id: 'promo-unit', skus: ['BREAD'], pointsPerUnit: 3 },
    { kind: 'multiplier', id: 'times-two', categories: ['B'], factor: '2' },
    { kind: 'event_bonus', id: 'event', eventId: 'E1', points: 10 },
  ],
});

function unlabelledEntries(): { entry: TraceEntry }[] {
  const basket = [
    line(1, 12, { sku: 'MILK' }),
    line(2, 20, { category: 'B' }),
    line(3, 10, { category: 'C', unitPriceCents: 333 }),
    line(4, 5, { sku: 'BREAD' }),
  ];
  const gold = evaluatePurchase(UNLABELLED, purchase(basket, { tier: 'gold', eventIds: ['E1'], member: { pointsEarnedToday: 0 } }));
  const perTransaction = evaluatePurchase({ ...UNLABELLED, points: { caps: { perTransaction: 5 } } }, purchase([line(1, 50)], { tier: 'gold' }));
  const marginal = evaluatePurchase(example('spend-bands-marginal'), purchase([line(1, 3000)]));
  const timeCard = evaluateCardUse(UNLABELLED, { at: '2025-01-10T10:00:00+08:00', serviceId: 'gym', punchesLeft: null, validUntil: null });
  return [...gold.trace, ...perTransaction.trace, ...marginal.trace, ...timeCard.trace].map((entry) => ({ entry }));
}
