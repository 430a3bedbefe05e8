/**
 * Signed configuration sets for device tests that run on the real clock: like core's config fixture, but every
 * expiry is relative to now (a test run next year still gets valid sets), and for any kiosk.
 */
import type { ConfigContent } from '../../core/config/config-content.ts';
import type { ConfigSet, SignedConfig } from '../../core/config/config-documents.ts';
import { scopesForKiosk } from '../../core/config/config-scope.ts';
import { certifySigningKey, signConfig, signSnapshot } from '../../core/config/sign-config-documents.ts';
import { documentDigest } from '../../core/config/signatures.ts';
import type { Keys } from '../../core/config/test-support/config-fixture.ts';

export { makeKeys, type Keys } from '../../core/config/test-support/config-fixture.ts';

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export interface KioskTarget {
  deviceId: string;
  storeId: string;
  regionId: string | null;
}

export function scopeBundle(keys: Keys, scope: string, version: number, content: ConfigContent, expiresInMs = 30 * DAY_MS): SignedConfig {
  return signConfig(keys.signing.privateKey, { type: 'config', scope, version, issuedAt: iso(Date.now() - DAY_MS), expires: iso(Date.now() + expiresInMs), content });
}

/** A complete set for `kiosk` whose snapshot names exactly `bundles`. */
export function kioskSet(
  keys: Keys,
  kiosk: KioskTarget,
  bundles: SignedConfig[],
  opts: { snapshotVersion?: number; rulesVersion?: number; keyVersion?: number; expiresInMs?: number } = {},
): ConfigSet {
  const order = scopesForKiosk(kiosk);
  const sorted = [...bundles].sort((a, b) => order.indexOf(a.signed.scope) - order.indexOf(b.signed.scope));
  return {
    signingKey: certifySigningKey(keys.root.privateKey, keys.signing.publicKey, { version: opts.keyVersion ?? 1, issuedAt: iso(Date.now() - DAY_MS), expires: iso(Date.now() + 365 * DAY_MS) }),
    snapshot: signSnapshot(keys.signing.privateKey, {
      type: 'snapshot',
      deviceId: kiosk.deviceId,
      storeId: kiosk.storeId,
      regionId: kiosk.regionId,
      version: opts.snapshotVersion ?? 1,
      rulesVersion: opts.rulesVersion ?? 1,
      issuedAt: iso(Date.now() - DAY_MS),
      expires: iso(Date.now() + (opts.expiresInMs ?? 7 * DAY_MS)),
      scopes: sorted.map((b) => ({ scope: b.signed.scope, version: b.signed.version, digest: documentDigest(b) })),
    }),
    bundles: sorted,
  };
}
