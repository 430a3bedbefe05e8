/**
 * parseRulesBundle: the one door into the engine for bundles that came from outside (HQ's editor, the wire,
 * a file). Errors name the path and the reason, all of them at once.
 */
import { CodedError } from '../errors/coded-error.ts';
import { rulesBundleSchema, type RulesBundle } from './bundle.ts';

export interface RulesIssue {
  /** Dotted path into the bundle, e.g. "rules.3.bands.1.upToCents"; "" for the bundle itself. */
  path: string;
  reason: string;
}

export function checkRulesBundle(json: unknown): { ok: true; bundle: RulesBundle } | { ok: false; issues: RulesIssue[] } {
  const result = rulesBundleSchema.safeParse(json);
  if (result.success) return { ok: true, bundle: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), reason: issue.message })) };
}

/** Throws CodedError('RULES_INVALID', message, { issues: [{ path, reason }] }). */
export function parseRulesBundle(json: unknown): RulesBundle {
  const result = checkRulesBundle(json);
  if (result.ok) return result.bundle;
  const first = result.issues[0];
  const summary = first ? `${first.path || '(bundle)'}: ${first.reason}` : 'invalid';
  const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : '';
  throw new CodedError('RULES_INVALID', `rules bundle is invalid: ${summary}${more}`, { issues: result.issues });
}
