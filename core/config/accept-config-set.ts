/**
 * Whether a kiosk may apply a configuration set (signing-key certificate, snapshot, scope bundles), checked
 * against the HQ root it pinned at enrolment and what it already holds. All or nothing: a set that fails any
 * check is refused whole with a code the kiosk reports to the hub, and the kiosk keeps its current snapshot.
 * Pure: the caller gives the time (the kiosk's clock corrected by the offset it measured against the hub).
 */
import type { ErrorCode } from '../errors/codes.ts';
import { parseRulesBundle } from '../rules/parse.ts';
import type { RulesBundle } from '../rules/bundle.ts';
import { configSetSchema, type ConfigBody, type SigningKeyBody, type SnapshotBody } from './config-documents.ts';
import { scopesForKiosk } from './config-scope.ts';
import { mergeConfig, numberedRules, type EffectiveConfig } from './merge-config.ts';
import { documentDigest, verifyDocument } from './signatures.ts';

export interface HeldConfig {
  signingKeyVersion: number;
  snapshotVersion: number;
  /** scope → the version applied last. */
  scopeVersions: Readonly<Record<string, number>>;
}

export interface AcceptedConfig {
  signingKey: SigningKeyBody;
  snapshot: SnapshotBody;
  bundles: ConfigBody[];
  effective: EffectiveConfig;
  rules: RulesBundle;
}

export type ConfigRefusalCode = Extract<
  ErrorCode,
  'CONFIG_MALFORMED' | 'CONFIG_NO_TRUST_ROOT' | 'CONFIG_SIGNING_KEY_UNCERTIFIED' | 'CONFIG_SIGNATURE_INVALID' | 'CONFIG_ROLLBACK' | 'CONFIG_EXPIRED' | 'CONFIG_WRONG_SCOPE' | 'CONFIG_INCOMPLETE' | 'CONFIG_INVALID'
>;

export type AcceptOutcome =
  | { status: 'accepted'; config: AcceptedConfig }
  /** The snapshot the kiosk already runs: nothing to do. */
  | { status: 'unchanged' }
  | { status: 'refused'; code: ConfigRefusalCode; detail: string; version?: number };

export interface AcceptInput {
  hqRootPublicKeyPem: string | null;
  deviceId: string;
  storeId: string;
  held: HeldConfig;
  nowMs: number;
  set: unknown;
}

const refuse = (code: ConfigRefusalCode, detail: string, version?: number): AcceptOutcome => ({ status: 'refused', code, detail, ...(version === undefined ? {} : { version }) });
const expired = (expires: string, nowMs: number) => Date.parse(expires) <= nowMs;

export function acceptConfigSet(input: AcceptInput): AcceptOutcome {
  if (!input.hqRootPublicKeyPem) return refuse('CONFIG_NO_TRUST_ROOT', 'this kiosk holds no HQ root key (enrol it with a code from a hub that has one)');
  const parsed = configSetSchema.safeParse(input.set);
  if (!parsed.success) return refuse('CONFIG_MALFORMED', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300));
  const { signingKey, snapshot, bundles } = parsed.data;

  // Root → signing key.
  if (!verifyDocument('signing-key', signingKey.signed, signingKey.signatures, input.hqRootPublicKeyPem)) {
    return refuse('CONFIG_SIGNING_KEY_UNCERTIFIED', 'the signing key is not certified by the HQ root this kiosk trusts');
  }
  if (signingKey.signed.version < input.held.signingKeyVersion) return refuse('CONFIG_ROLLBACK', `signing key version ${signingKey.signed.version} is older than ${input.held.signingKeyVersion}`, signingKey.signed.version);
  if (expired(signingKey.signed.expires, input.nowMs)) return refuse('CONFIG_EXPIRED', `the signing key expired at ${signingKey.signed.expires}`);
  const keyPem = signingKey.signed.publicKeyPem;

  // Signing key → snapshot.
  const s = snapshot.signed;
  if (!verifyDocument('snapshot', s, snapshot.signatures, keyPem)) return refuse('CONFIG_SIGNATURE_INVALID', 'the snapshot signature does not verify', s.version);
  if (s.deviceId !== input.deviceId || s.storeId !== input.storeId) return refuse('CONFIG_WRONG_SCOPE', `the snapshot is for ${s.deviceId} in ${s.storeId}`, s.version);
  if (s.version < input.held.snapshotVersion) return refuse('CONFIG_ROLLBACK', `snapshot ${s.version} is older than ${input.held.snapshotVersion}`, s.version);
  if (s.version === input.held.snapshotVersion) return { status: 'unchanged' };
  if (expired(s.expires, input.nowMs)) return refuse('CONFIG_EXPIRED', `snapshot ${s.version} expired at ${s.expires}`, s.version);

  // Snapshot → scope bundles: exactly the ones it names, each intact, none older than held.
  const allowed = scopesForKiosk({ deviceId: s.deviceId, storeId: s.storeId, regionId: s.regionId });
  const ordered: ConfigBody[] = [];
  for (const scope of allowed) {
    const named = s.scopes.find((entry) => entry.scope === scope);
    const bundle = bundles.find((b) => b.signed.scope === scope);
    if (!named) {
      if (bundle) return refuse('CONFIG_INCOMPLETE', `bundle for ${scope} is not in snapshot ${s.version}`, s.version);
      continue;
    }
    if (!bundle) return refuse('CONFIG_INCOMPLETE', `snapshot ${s.version} names ${scope} v${named.version}, which did not come with it`, s.version);
    if (!verifyDocument('config', bundle.signed, bundle.signatures, keyPem)) return refuse('CONFIG_SIGNATURE_INVALID', `the ${scope} bundle signature does not verify`, s.version);
    if (bundle.signed.version !== named.version || documentDigest(bundle) !== named.digest) return refuse('CONFIG_INCOMPLETE', `the ${scope} bundle is not the one snapshot ${s.version} names`, s.version);
    if (bundle.signed.version < (input.held.scopeVersions[scope] ?? 0)) return refuse('CONFIG_ROLLBACK', `${scope} v${bundle.signed.version} is older than v${input.held.scopeVersions[scope]}`, s.version);
    if (expired(bundle.signed.expires, input.nowMs)) return refuse('CONFIG_EXPIRED', `${scope} v${bundle.signed.version} expired at ${bundle.signed.expires}`, s.version);
    ordered.push(bundle.signed);
  }
  const stray = [...s.scopes.map((e) => e.scope), ...bundles.map((b) => b.signed.scope)].find((scope) => !allowed.includes(scope));
  if (stray) return refuse('CONFIG_WRONG_SCOPE', `${stray} is not a scope of this kiosk`, s.version);

  const effective = mergeConfig(ordered.map((b) => b.content));
  let rules: RulesBundle;
  try {
    rules = parseRulesBundle(numberedRules(effective, s.rulesVersion));
  } catch (error) {
    return refuse('CONFIG_INVALID', (error as Error).message.slice(0, 300), s.version);
  }
  return { status: 'accepted', config: { signingKey: signingKey.signed, snapshot: s, bundles: ordered, effective, rules } };
}

/** A held snapshot past its expiry: the kiosk keeps serving balances and earning, and stops offline spending. */
export function snapshotExpired(snapshot: Pick<SnapshotBody, 'expires'> | null, nowMs: number): boolean {
  return snapshot === null || expired(snapshot.expires, nowMs);
}
