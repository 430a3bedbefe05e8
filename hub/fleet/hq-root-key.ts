/**
 * HQ's offline root key. The private half is made by `memberkiosk keys init` on an HQ machine and stays there;
 * the hub holds only the public half (DATA/hq-root.pub, put there by `memberkiosk keys install-public`) and
 * hands it to each kiosk at enrolment, over the TLS connection the code's CA hash authenticated, so kiosks pin
 * it from their first contact (the fleet-configuration issue adds the online signing key it certifies).
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../core/errors/coded-error.ts';

export const HQ_ROOT_PUBLIC_KEY_FILE = 'hq-root.pub';
export const HQ_ROOT_PRIVATE_KEY_FILE = 'hq-root.key';

/** Writes DIR/hq-root.key (0600) and DIR/hq-root.pub; never overwrites an existing key. */
export function createHqRootKey(outDir: string): { privateKeyPath: string; publicKeyPath: string } {
  const privateKeyPath = join(outDir, HQ_ROOT_PRIVATE_KEY_FILE);
  const publicKeyPath = join(outDir, HQ_ROOT_PUBLIC_KEY_FILE);
  if (existsSync(privateKeyPath) || existsSync(publicKeyPath)) throw new CodedError('HQ_KEY_EXISTS', `${outDir} already holds an HQ root key; refusing to overwrite it`);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(privateKeyPath, 0o600);
  writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { privateKeyPath, publicKeyPath };
}

/** The key in SPKI PEM, refused (HQ_KEY_INVALID) unless it is an Ed25519 public key — never a private one. */
export function normaliseHqRootPublicKey(pem: string): string {
  if (/PRIVATE KEY/.test(pem)) throw new CodedError('HQ_KEY_INVALID', 'that is a private key: the hub must only ever get the public one (hq-root.pub)');
  let key;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new CodedError('HQ_KEY_INVALID');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new CodedError('HQ_KEY_INVALID');
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

export function installHqRootPublicKey(dataDir: string, pem: string): string {
  const normal = normaliseHqRootPublicKey(pem);
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, HQ_ROOT_PUBLIC_KEY_FILE);
  writeFileSync(path, normal, { mode: 0o644 });
  return path;
}

/** The installed public key, or null when HQ has not installed one yet. */
export function readHqRootPublicKey(dataDir: string): string | null {
  const path = join(dataDir, HQ_ROOT_PUBLIC_KEY_FILE);
  return existsSync(path) ? normaliseHqRootPublicKey(readFileSync(path, 'utf8')) : null;
}
