/**
 * The rules of one configuration scope as the console's Rules page edits them: a *draft* is the `rules` section
 * of the scope's content (config-content.ts — the rules bundle's fields without `version`; a narrower scope may
 * carry only a part). Checked twice before anything is signed: the draft alone against the bundle's schema
 * (every field optional), then merged over the scope's chain (global → region → store → kiosk, as the kiosks
 * merge them) and checked as a whole bundle, as publishConfig will. Issues carry a code and a path; a path into
 * the merged bundle is given back as the draft's path when the draft holds that field or rule, else marked
 * inherited (it comes from a broader scope).
 *
 * Pure over a read of the config store: the routes (hub/http/rules-routes.ts) publish through publishConfig only.
 */
import { z } from 'zod';
import type { ConfigContent } from '../../core/config/config-content.ts';
import { scopeLevelOf, scopesForKiosk, type ConfigScope } from '../../core/config/config-scope.ts';
import { mergeConfig } from '../../core/config/merge-config.ts';
import { rulesBundleShape, type RulesBundle } from '../../core/rules/bundle.ts';
import { checkRulesBundle } from '../../core/rules/parse.ts';
import type { ConfigStore } from './config-store.ts';
import { scopeChain } from './config-targets.ts';

/** What the draft of one scope may hold: the bundle's fields, each optional, never `version`. */
export const rulesDraftSchema = rulesBundleShape.omit({ version: true }).partial();

/** The JSON Schema (draft 2020-12) of a draft, made from the same zod schema the hub checks with. */
export function rulesDraftJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(rulesDraftSchema, { unrepresentable: 'any', io: 'input' });
}

export interface DraftIssue {
  /** RULES_INVALID: the draft does not fit the schema; CONFIG_INVALID: merged over its chain, the rules do not validate. */
  code: 'RULES_INVALID' | 'CONFIG_INVALID';
  /** Dotted path into the draft ("rules.1.rate"), or into the merged rules when `source` is inherited. */
  path: string;
  reason: string;
  source: 'draft' | 'inherited';
}

export type ConfigReads = Pick<ConfigStore, 'latestBundle'>;

/** The scopes whose bundles a kiosk under `scope` merges, broadest first (the scope itself last). */
export function chainOf(scope: ConfigScope, where: { storeRegion: string | null; kiosk?: { deviceId: string; storeId: string; regionId: string | null } }): ConfigScope[] {
  if (scopeLevelOf(scope) === 'device' && where.kiosk) return scopesForKiosk(where.kiosk);
  return scopeChain(scope, where.storeRegion);
}

/** The published content of a scope (its newest version), or null. */
export async function publishedContent(store: ConfigReads, scope: ConfigScope): Promise<ConfigContent | null> {
  return (await store.latestBundle(scope))?.signed.signed.content ?? null;
}

/** The rules the chain merges to, with the scope's own rules replaced by `draft` (undefined: as published; null: none). */
export async function mergedRules(store: ConfigReads, chain: readonly ConfigScope[], scope: ConfigScope, draft?: Record<string, unknown> | null): Promise<Record<string, unknown>> {
  const contents: ConfigContent[] = [];
  for (const s of chain) {
    if (s !== scope) {
      const content = await publishedContent(store, s);
      if (content) contents.push(content);
      continue;
    }
    if (draft === undefined) {
      const content = await publishedContent(store, s);
      if (content) contents.push(content);
    } else if (draft !== null) contents.push({ rules: draft });
  }
  return mergeConfig(contents).rules;
}

/** The rules the scope inherits: its chain merged without the scope's own bundle. */
export function inheritedRules(store: ConfigReads, chain: readonly ConfigScope[], scope: ConfigScope): Promise<Record<string, unknown>> {
  return mergedRules(store, chain, scope, null);
}

export interface DraftCheck {
  valid: boolean;
  issues: DraftIssue[];
  /** The merged rules as a kiosk under the scope would check them (numbered 1), when valid. */
  effective: RulesBundle | null;
}

/** Where a path into the merged rules lies in the draft, when the draft holds it. */
function draftPath(path: (string | number)[], merged: Record<string, unknown>, draft: Record<string, unknown>): string | null {
  const [top, index, ...rest] = path;
  if (typeof top !== 'string' || !(top in draft)) return null;
  if (top !== 'rules' || typeof index !== 'number') return path.map(String).join('.');
  const mergedRule = (merged.rules as { id?: unknown }[] | undefined)?.[index];
  const draftRules = Array.isArray(draft.rules) ? (draft.rules as { id?: unknown }[]) : [];
  const at = draftRules.findIndex((r) => r !== null && typeof r === 'object' && r.id !== undefined && r.id === mergedRule?.id);
  return at < 0 ? null : ['rules', at, ...rest].map(String).join('.');
}

/** The draft alone, then merged over its chain. */
export async function checkDraft(store: ConfigReads, chain: readonly ConfigScope[], scope: ConfigScope, draft: unknown): Promise<DraftCheck> {
  if (draft === null || typeof draft !== 'object' || Array.isArray(draft)) return { valid: false, issues: [{ code: 'RULES_INVALID', path: '', reason: 'the rules are a JSON object', source: 'draft' }], effective: null };
  const shaped = rulesDraftSchema.safeParse(draft);
  const issues: DraftIssue[] = shaped.success ? [] : shaped.error.issues.map((i) => ({ code: 'RULES_INVALID' as const, path: i.path.map(String).join('.'), reason: i.message, source: 'draft' as const }));
  if ('version' in draft) issues.push({ code: 'RULES_INVALID', path: 'version', reason: 'the hub numbers the merged rules: leave version out', source: 'draft' });
  if (issues.length > 0) return { valid: false, issues, effective: null };
  const merged = await mergedRules(store, chain, scope, draft as Record<string, unknown>);
  const checked = checkRulesBundle({ ...merged, version: 1 });
  if (checked.ok) return { valid: true, issues: [], effective: checked.bundle };
  // The paths of checkRulesBundle are dotted strings: split them back, numbers where they index an array.
  const split = (path: string) => (path === '' ? [] : path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)));
  return {
    valid: false,
    effective: null,
    issues: checked.issues.map((issue) => {
      const inDraft = draftPath(split(issue.path), merged, draft as Record<string, unknown>);
      return inDraft === null ? { code: 'CONFIG_INVALID' as const, path: issue.path, reason: issue.reason, source: 'inherited' as const } : { code: 'CONFIG_INVALID' as const, path: inDraft, reason: issue.reason, source: 'draft' as const };
    }),
  };
}
