/**
 * One kiosk's effective configuration from its scopes' bundles, broadest first. Each section comes from the
 * narrowest scope that sets it; the rules are merged field by field over the chain's defaults, and their `rules`
 * array by rule id (a narrower scope's rule with an id already there replaces it in place, a new id is added at
 * the end). The hub and the kiosk run this same function, so both price a basket with the same rules.
 *
 * The rules bundle format (core/rules/bundle.ts, `format`) is a field like the others: the chain's defaults are
 * format 2, so merged rules are format 2 unless a scope names its format. The hub names it when it seeds the
 * global scope from a bundle it stored without one (format 1, hub/config/config-sync.ts), so those rules keep
 * their meaning on the kiosks.
 */
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import type { RulesBundle } from '../rules/bundle.ts';
import type { ConfigContent, OfferedItem } from './config-content.ts';
import { DEFAULT_OFFLINE_LIMITS, type OfflineLimits } from './offline-limits.ts';

export interface EffectiveConfig {
  /** The merged rules without their number: the snapshot's rulesVersion numbers them. Not yet validated. */
  rules: Record<string, unknown>;
  offlineLimits: OfflineLimits;
  receipt: NonNullable<ConfigContent['receipt']>;
  items: OfferedItem[];
  gifts: string[] | null;
  screen: NonNullable<ConfigContent['screen']>;
}

type RuleLike = { id?: unknown };

function mergeRules(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...overlay };
  if (Array.isArray(overlay.rules) && Array.isArray(base.rules)) {
    const rules = [...(base.rules as RuleLike[])];
    for (const rule of overlay.rules as RuleLike[]) {
      const at = rules.findIndex((r) => r.id !== undefined && r.id === rule.id);
      if (at >= 0) rules[at] = rule;
      else rules.push(rule);
    }
    merged.rules = rules;
  }
  return merged;
}

export function mergeConfig(contents: readonly ConfigContent[]): EffectiveConfig {
  const { version: _unnumbered, ...defaultRules } = DEFAULT_RULES_BUNDLE;
  let rules: Record<string, unknown> = defaultRules;
  const effective: Omit<EffectiveConfig, 'rules'> = { offlineLimits: DEFAULT_OFFLINE_LIMITS, receipt: {}, items: [], gifts: null, screen: {} };
  for (const content of contents) {
    if (content.rules) rules = mergeRules(rules, content.rules);
    if (content.offlineLimits) effective.offlineLimits = content.offlineLimits;
    if (content.receipt) effective.receipt = content.receipt;
    if (content.items) effective.items = content.items;
    if (content.gifts) effective.gifts = content.gifts;
    if (content.screen) effective.screen = content.screen;
  }
  return { rules, ...effective };
}

/** The merged rules numbered as a rules bundle (validate it with parseRulesBundle). */
export function numberedRules(effective: EffectiveConfig, rulesVersion: number): RulesBundle {
  return { ...effective.rules, version: rulesVersion } as RulesBundle;
}
