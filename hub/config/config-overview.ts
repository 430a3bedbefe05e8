/** What is published and which snapshot each kiosk was given: GET /api/config and `memberkiosk config list`. */
import type { ConfigStore } from './config-store.ts';
import type { SigningKeyRead } from './signing-key.ts';

export interface ScopeView {
  scope: string;
  version: number;
  publishedAt: string;
  publishedBy: string;
  expires: string;
  /** A global bundle the hub made from its rules store (HQ has published none): that rules version. */
  seededFromRules: number | null;
  /** Kiosks whose current snapshot names this version of the scope. */
  kiosks: number;
}

export interface KioskConfigView {
  deviceId: string;
  storeId: string;
  regionId: string | null;
  snapshotVersion: number;
  rulesVersion: number;
  issuedAt: string;
  expires: string;
  scopes: { scope: string; version: number }[];
  /** What the kiosk reports it runs (the device registry), when the hub has heard. */
  applied?: { snapshotVersion: number | null; refusal: { code: string; detail: string | null; version: number | null } | null };
}

export interface ConfigOverview {
  signingKey: { keyId: string; version: number; expires: string } | null;
  /** Why there is no signing key (configuration is then refused with SIGNING_KEY_MISSING). */
  signingKeyProblem: string | null;
  scopes: ScopeView[];
  kiosks: KioskConfigView[];
}

/** `applied`: the device registry's view of a kiosk, when the hub keeps one. */
export async function describeConfig(store: ConfigStore, key: SigningKeyRead, applied?: (deviceId: string) => KioskConfigView['applied']): Promise<ConfigOverview> {
  const kiosks: KioskConfigView[] = (await store.currentSnapshots()).map(({ row }) => {
    const s = row.signed.signed;
    const view: KioskConfigView = {
      deviceId: row.deviceId,
      storeId: s.storeId,
      regionId: s.regionId,
      snapshotVersion: row.version,
      rulesVersion: row.rulesVersion,
      issuedAt: row.issuedAt,
      expires: row.expires,
      scopes: s.scopes.map((e) => ({ scope: e.scope, version: e.version })),
    };
    const reported = applied?.(row.deviceId);
    if (reported) view.applied = reported;
    return view;
  });
  const scopes = (await store.latestBundles()).map((b) => ({
    scope: b.scope,
    version: b.version,
    publishedAt: b.publishedAt,
    publishedBy: b.publishedBy,
    expires: b.expires,
    seededFromRules: b.seededFromRules,
    kiosks: kiosks.filter((k) => k.scopes.some((e) => e.scope === b.scope && e.version === b.version)).length,
  }));
  return {
    signingKey: key.ok ? { keyId: key.key.keyId, version: key.key.version, expires: key.key.expires } : null,
    signingKeyProblem: key.ok ? null : key.reason,
    scopes,
    kiosks,
  };
}
