/**
 * Which kiosks a scope reaches and what each one's scopes merge to, from the fleet: a kiosk's store is where it
 * was enrolled, its region is its store's (stores.region_id) — that is how kiosks learn their region.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/config/canonical-json.ts';
import type { SignedConfig } from '../../core/config/config-documents.ts';
import { scopeLevelOf, scopesForKiosk, type ConfigScope } from '../../core/config/config-scope.ts';
import { numberedRules, type EffectiveConfig } from '../../core/config/merge-config.ts';
import { checkRulesBundle, type RulesIssue } from '../../core/rules/parse.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { EnrolledDevice, FleetRegistry } from '../fleet/fleet-registry.ts';

export interface KioskTarget {
  deviceId: string;
  storeId: string;
  regionId: string | null;
}

/** Enrolled, non-revoked kiosks with their region. */
export async function activeKiosks(fleet: Pick<FleetRegistry, 'listDevices' | 'listStores'>): Promise<{ kiosks: KioskTarget[]; regions: Map<string, string>; revoked: EnrolledDevice[] }> {
  const regions = new Map((await fleet.listStores()).map((s) => [s.storeId, s.regionId] as const));
  const devices = await fleet.listDevices();
  return {
    kiosks: devices.filter((d) => d.revokedAt === null).map((d) => ({ deviceId: d.deviceId, storeId: d.storeId, regionId: regions.get(d.storeId) ?? null })),
    regions,
    revoked: devices.filter((d) => d.revokedAt !== null),
  };
}

/** Whether a bundle for `scope` is one of this kiosk's. */
export function scopeReaches(scope: ConfigScope, kiosk: KioskTarget): boolean {
  return scopesForKiosk(kiosk).includes(scope);
}

/** The scopes a kiosk applies that have a bundle, broadest first, each as `bundles` holds it. */
export function bundlesForKiosk(kiosk: KioskTarget, bundles: ReadonlyMap<ConfigScope, SignedConfig>): SignedConfig[] {
  return scopesForKiosk(kiosk)
    .map((scope) => bundles.get(scope))
    .filter((b): b is SignedConfig => b !== undefined);
}

/**
 * The scopes a kiosk anywhere under `scope` would apply, for checking a bundle that reaches no kiosk yet (a store
 * with none enrolled): global; a region and global; a store, its region and global.
 */
export function scopeChain(scope: ConfigScope, storeRegion: string | null): ConfigScope[] {
  const level = scopeLevelOf(scope);
  if (level === 'global') return ['global'];
  if (level === 'region') return ['global', scope];
  if (level === 'store') return ['global', ...(storeRegion ? [`region/${storeRegion}`] : []), scope];
  return [scope];
}

/** The merged rules as the kiosk will check them (numbered 1 here: the number does not change validity). */
export function checkMergedRules(effective: EffectiveConfig): { ok: true; bundle: RulesBundle } | { ok: false; issues: RulesIssue[] } {
  return checkRulesBundle(numberedRules(effective, 1));
}

/**
 * SHA-256 of a rules bundle's content without its version: equal rules, equal digest, whatever their number.
 * `format: 1` is what a bundle without `format` means (core/rules/bundle.ts), so it is left out too: a bundle
 * stored before formats existed and the same rules seeded with their format made explicit share a digest, and so
 * a rules version (config-sync.ts, followRulesStore). Digests of bundles without `format` are unchanged.
 */
export function rulesDigest(bundle: RulesBundle | Record<string, unknown>): string {
  const { version: _version, ...content } = bundle as Record<string, unknown>;
  if (content.format === 1) delete content.format;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
