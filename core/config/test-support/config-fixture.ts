/** Throwaway root and signing keys and a helper to make a complete, valid configuration set for one kiosk. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { ConfigContent } from '../config-content.ts';
import type { ConfigBody, ConfigSet, SignedConfig } from '../config-documents.ts';
import { scopesForKiosk } from '../config-scope.ts';
import { certifySigningKey, signConfig, signSnapshot } from '../sign-config-documents.ts';
import { documentDigest } from '../signatures.ts';

export const KIOSK = { deviceId: 'kiosk-1', storeId: 'store-001', regionId: 'east' } as const;
export const NOW = Date.parse('2026-12-01T08:00:00Z');
export const LATER = '2027-01-01T00:00:00.000Z';
export const EARLIER = '2026-11-01T00:00:00.000Z';

export interface Keys {
  root: { privateKey: KeyObject; publicKeyPem: string };
  signing: { privateKey: KeyObject; publicKey: KeyObject };
}

export function makeKeys(): Keys {
  const root = generateKeyPairSync('ed25519');
  const signing = generateKeyPairSync('ed25519');
  return { root: { privateKey: root.privateKey, publicKeyPem: root.publicKey.export({ type: 'spki', format: 'pem' }).toString() }, signing };
}

export function bundle(keys: Keys, scope: string, version: number, content: ConfigContent, expires = LATER): SignedConfig {
  const body: ConfigBody = { type: 'config', scope, version, issuedAt: EARLIER, expires, content };
  return signConfig(keys.signing.privateKey, body);
}

/** A set whose snapshot names exactly `bundles`. */
export function configSet(keys: Keys, bundles: SignedConfig[], opts: { snapshotVersion?: number; rulesVersion?: number; keyVersion?: number; expires?: string; kiosk?: typeof KIOSK } = {}): ConfigSet {
  const kiosk = opts.kiosk ?? KIOSK;
  const order = scopesForKiosk(kiosk);
  const sorted = [...bundles].sort((a, b) => order.indexOf(a.signed.scope) - order.indexOf(b.signed.scope));
  return {
    signingKey: certifySigningKey(keys.root.privateKey, keys.signing.publicKey, { version: opts.keyVersion ?? 1, issuedAt: EARLIER, expires: LATER }),
    snapshot: signSnapshot(keys.signing.privateKey, {
      type: 'snapshot',
      deviceId: kiosk.deviceId,
      storeId: kiosk.storeId,
      regionId: kiosk.regionId,
      version: opts.snapshotVersion ?? 1,
      rulesVersion: opts.rulesVersion ?? 1,
      issuedAt: EARLIER,
      expires: opts.expires ?? LATER,
      scopes: sorted.map((b) => ({ scope: b.signed.scope, version: b.signed.version, digest: documentDigest(b) })),
    }),
    bundles: sorted,
  };
}
