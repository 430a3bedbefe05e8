/**
 * Ed25519 signatures over canonical JSON (canonical-json.ts), with the document's type in the signed bytes so a
 * signature made for one kind of document (a snapshot) can never be replayed as another (a scope bundle). A key
 * is named by the SHA-256 of its SPKI DER encoding, so a key id cannot be claimed for another key.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

const DOMAIN = 'memberkiosk-config-v1';

export interface Signature {
  keyId: string;
  /** base64 */
  sig: string;
}

export function keyIdOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex');
}

function signedBytes(type: string, signed: unknown): Buffer {
  return Buffer.from(`${DOMAIN}\n${type}\n${canonicalJson(signed)}`, 'utf8');
}

export function signDocument(type: string, signed: unknown, privateKey: KeyObject): Signature {
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), sig: sign(null, signedBytes(type, signed), privateKey).toString('base64') };
}

/** True when one of the signatures is by `publicKey` and verifies; a malformed key or signature is false, not a throw. */
export function verifyDocument(type: string, signed: unknown, signatures: readonly Signature[], publicKey: KeyObject | string): boolean {
  let key: KeyObject;
  let bytes: Buffer;
  try {
    key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    if (key.asymmetricKeyType !== 'ed25519') return false;
    bytes = signedBytes(type, signed);
  } catch {
    return false;
  }
  const keyId = keyIdOf(key);
  return signatures.some((s) => {
    if (s.keyId !== keyId) return false;
    try {
      return verify(null, bytes, key, Buffer.from(s.sig, 'base64'));
    } catch {
      return false;
    }
  });
}

/** SHA-256 (hex) of a signed document as it travels: what a snapshot names for each scope bundle. */
export function documentDigest(document: unknown): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}
