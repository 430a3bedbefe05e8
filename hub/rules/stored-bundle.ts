import { rulesBundleSchema, type RulesBundle } from '../../core/rules/bundle.ts';

/** Bundles read back from the hub's own store are validated again: a schema change must not slip through. */
export function parseStoredBundle(text: string): RulesBundle {
  return rulesBundleSchema.parse(JSON.parse(text));
}
