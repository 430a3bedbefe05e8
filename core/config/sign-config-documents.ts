/**
 * Making the signed documents (accept-config-set.ts checks them): the root certifies a signing key, the signing
 * key signs scope bundles and snapshots. The hub calls these with its keys; `memberkiosk keys sign-key` with the
 * root's; tests with throwaway keys.
 */
import type { KeyObject } from 'node:crypto';
import type { ConfigBody, SignedConfig, SignedSigningKey, SignedSnapshot, SigningKeyBody, SnapshotBody } from './config-documents.ts';
import { keyIdOf, signDocument } from './signatures.ts';

/** `signingPublicKey`: the public half (a KeyObject of type 'public'). */
export function certifySigningKey(rootPrivateKey: KeyObject, signingPublicKey: KeyObject, meta: { version: number; issuedAt: string; expires: string }): SignedSigningKey {
  const signed: SigningKeyBody = {
    type: 'signing-key',
    version: meta.version,
    publicKeyPem: signingPublicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(signingPublicKey),
    issuedAt: meta.issuedAt,
    expires: meta.expires,
  };
  return { signed, signatures: [signDocument('signing-key', signed, rootPrivateKey)] };
}

export function signConfig(signingKey: KeyObject, body: ConfigBody): SignedConfig {
  return { signed: body, signatures: [signDocument('config', body, signingKey)] };
}

export function signSnapshot(signingKey: KeyObject, body: SnapshotBody): SignedSnapshot {
  return { signed: body, signatures: [signDocument('snapshot', body, signingKey)] };
}
