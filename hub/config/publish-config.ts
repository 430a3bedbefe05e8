/**
 * Publishing one scope's configuration bundle: checked, signed with the hub's signing key and stored (config-store.ts).
 * `memberkiosk config publish` and `POST /api/config` both come here; the hub's sync loop (config-sync.ts) then puts
 * the bundle on its retained topic and gives every kiosk it reaches a new snapshot.
 *
 * Checked before anything is signed: the content's shape (config-content.ts), that the scope exists in the fleet
 * (CONFIG_SCOPE_UNKNOWN), the version (CONFIG_VERSION_STALE), and that every kiosk the bundle reaches — and a kiosk
 * that could yet be enrolled under the scope — merges its scopes into valid rules (CONFIG_INVALID with the issues):
 * a bundle that would leave a kiosk with rules it must refuse is never published.
 */
import { canonicalJson } from '../../core/config/canonical-json.ts';
import { configContentSchema, type ConfigContent } from '../../core/config/config-content.ts';
import type { ConfigBody, SignedConfig } from '../../core/config/config-documents.ts';
import { parseScopeArgument, scopeLevelOf, type ConfigScope } from '../../core/config/config-scope.ts';
import { mergeConfig } from '../../core/config/merge-config.ts';
import { signConfig } from '../../core/config/sign-config-documents.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import { MAX_LOOKUP_RESPONSE_BYTES } from '../../core/wire/limits.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import type { ConfigStore } from './config-store.ts';
import { activeKiosks, checkMergedRules, scopeChain, scopeReaches, type KioskTarget } from './config-targets.ts';
import type { LoadedSigningKey } from './signing-key.ts';

export const DEFAULT_BUNDLE_DAYS = 365;
const DAY_MS = 86_400_000;
/** Room a set needs beside its bundles: the certificate, the snapshot and the JSON around them. */
const SET_OVERHEAD_BYTES = 8 * 1024;

export interface PublishRequest {
  /** `global`, `region:R`, `store:S`, `kiosk:K` or the wire form (`store/S`). */
  scope: string;
  /** JSON of ConfigContent (config-content.ts). */
  content: unknown;
  /** Lifetime of the signed bundle; the hub renews its signature when less than half is left. */
  expiresDays?: number;
  /** Default: the scope's newest version + 1. */
  version?: number;
  /** Who published it: `staff:ID` from the API, `cli:USER` from the command line, `hub` for a seed. */
  publishedBy: string;
  now?: Date;
  /** Set by the hub for the global bundle it seeds from its rules store. */
  seededFromRules?: number;
}

export interface PublishOutcome {
  scope: ConfigScope;
  version: number;
  expires: string;
  keyId: string;
  /** The kiosks (enrolled, not revoked) the bundle reaches, which get a new snapshot. */
  kiosks: string[];
}

/** Whether the scope names a region, store or kiosk the fleet holds (a revoked kiosk is no target). */
async function assertScopeExists(fleet: Pick<FleetRegistry, 'listRegions' | 'store' | 'device'>, scope: ConfigScope): Promise<{ storeRegion: string | null }> {
  const level = scopeLevelOf(scope);
  const id = scope.slice(level.length + 1);
  if (level === 'global') return { storeRegion: null };
  if (level === 'region') {
    if (!(await fleet.listRegions()).some((r) => r.regionId === id)) throw new CodedError('CONFIG_SCOPE_UNKNOWN', `no region ${id} in the fleet`);
    return { storeRegion: null };
  }
  if (level === 'store') {
    const store = await fleet.store(id);
    if (!store) throw new CodedError('CONFIG_SCOPE_UNKNOWN', `no store ${id} in the fleet`);
    return { storeRegion: store.regionId };
  }
  const device = await fleet.device(id);
  if (!device || device.revokedAt !== null) throw new CodedError('CONFIG_SCOPE_UNKNOWN', `no enrolled kiosk ${id} in the fleet${device ? ' (it is revoked)' : ''}`);
  return { storeRegion: null };
}

/** The content as ConfigContent, or CONFIG_INVALID naming each problem. */
export function parseConfigContent(content: unknown): ConfigContent {
  const parsed = configContentSchema.safeParse(content);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), reason: i.message }));
    throw new CodedError('CONFIG_INVALID', `the configuration does not validate: ${issues[0]?.path || '(content)'}: ${issues[0]?.reason ?? 'invalid'}`, { issues });
  }
  try {
    canonicalJson(parsed.data);
  } catch (error) {
    throw new CodedError('CONFIG_INVALID', `${(error as Error).message}: money is whole cents and rates are decimal strings ("1.5")`);
  }
  return parsed.data;
}

/**
 * Checks, signs and stores a bundle. `signingKey` null: SIGNING_KEY_MISSING (nothing is stored).
 * The sync loop of a running hub publishes it within a poll (or at once, after the API).
 */
export async function publishConfig(
  deps: { store: ConfigStore; fleet: Pick<FleetRegistry, 'listRegions' | 'store' | 'device' | 'listDevices' | 'listStores'>; signingKey: LoadedSigningKey | null },
  request: PublishRequest,
): Promise<PublishOutcome> {
  const scope = parseScopeArgument(request.scope);
  const content = parseConfigContent(request.content);
  const days = request.expiresDays ?? DEFAULT_BUNDLE_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 3_650) throw new CodedError('BAD_REQUEST', 'expiresDays is a whole number of days from 1 to 3650');
  if (request.version !== undefined && (!Number.isSafeInteger(request.version) || request.version < 1)) throw new CodedError('BAD_REQUEST', 'version is a whole number above 0');
  const { storeRegion } = await assertScopeExists(deps.fleet, scope);
  const latest = await deps.store.latestBundle(scope);
  const version = request.version ?? (latest?.version ?? 0) + 1;
  if (latest && version <= latest.version) throw new CodedError('CONFIG_VERSION_STALE', `${scope} is at version ${latest.version}; a new version must be above it`, { scope, latest: latest.version });
  const key = deps.signingKey;
  if (!key) throw new CodedError('SIGNING_KEY_MISSING');

  const now = request.now ?? new Date();
  const body: ConfigBody = { type: 'config', scope, version, issuedAt: now.toISOString(), expires: new Date(now.getTime() + days * DAY_MS).toISOString(), content };
  const signed = signConfig(key.privateKey, body);

  // Every kiosk the bundle reaches, and one that could yet be enrolled under the scope, must get valid rules.
  const published = new Map((await deps.store.latestBundles()).map((b) => [b.scope, b.signed] as const));
  published.set(scope, signed);
  const { kiosks } = await activeKiosks(deps.fleet);
  const reached = kiosks.filter((k) => scopeReaches(scope, k));
  const chains: { who: string; scopes: ConfigScope[] }[] = reached.map((k: KioskTarget) => ({ who: k.deviceId, scopes: [...published.keys()].filter((s) => scopeReaches(s, k)) }));
  if (scopeLevelOf(scope) !== 'device') chains.push({ who: `a new kiosk under ${scope}`, scopes: scopeChain(scope, storeRegion).filter((s) => published.has(s)) });
  const checked = new Set<string>();
  for (const chain of chains) {
    const bundles = chain.scopes.map((s) => published.get(s)).filter((b): b is SignedConfig => b !== undefined);
    const key_ = bundles.map((b) => `${b.signed.scope}@${b.signed.version}`).join(',');
    if (checked.has(key_)) continue;
    checked.add(key_);
    const bytes = bundles.reduce((sum, b) => sum + Buffer.byteLength(JSON.stringify(b)), SET_OVERHEAD_BYTES);
    if (bytes > MAX_LOOKUP_RESPONSE_BYTES) throw new CodedError('CONFIG_INVALID', `${chain.who} would get ${bytes} bytes of configuration, over the ${MAX_LOOKUP_RESPONSE_BYTES} a message may carry`);
    const merged = checkMergedRules(mergeConfig(bundles.map((b) => b.signed.content)));
    if (!merged.ok) {
      const first = merged.issues[0];
      throw new CodedError('CONFIG_INVALID', `the merged rules of ${chain.who} do not validate: ${first?.path || '(rules)'}: ${first?.reason ?? 'invalid'}`, { kiosk: chain.who, issues: merged.issues });
    }
  }

  await deps.store.insertBundle({
    scope,
    version,
    signed,
    keyId: key.keyId,
    expires: body.expires,
    lifetimeDays: days,
    publishedAt: now.toISOString(),
    publishedBy: request.publishedBy,
    seededFromRules: request.seededFromRules ?? null,
  });
  return { scope, version, expires: body.expires, keyId: key.keyId, kiosks: reached.map((k) => k.deviceId) };
}
