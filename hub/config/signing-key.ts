/**
 * The hub's online configuration signing key (TUF's delegated online key): an Ed25519 key pair in the hub's data
 * directory, `config-signing.key` (PKCS#8 PEM, 0600) and `config-signing.cert.json` (the signing-key document
 * HQ's offline root signed, core/config/config-documents.ts). `memberkiosk keys sign-key` makes a new pair and its
 * certificate with the root's private key, on the HQ machine or with the root brought to the hub for a moment;
 * each new certificate has the previous one's version + 1, so kiosks never go back to a replaced key.
 *
 * The hub reads the pair when it starts and whenever the files change (SigningKeyLoader): a rotation needs no
 * restart. A pair that does not hold together (the private key is not the certified one, the certificate is not
 * by the installed root, or it has expired) is no key: configuration is refused with SIGNING_KEY_MISSING.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../core/errors/coded-error.ts';
import { signedSigningKeySchema, type SignedSigningKey } from '../../core/config/config-documents.ts';
import { certifySigningKey } from '../../core/config/sign-config-documents.ts';
import { keyIdOf, verifyDocument } from '../../core/config/signatures.ts';
import { readHqRootPublicKey } from '../fleet/hq-root-key.ts';

export const SIGNING_KEY_FILE = 'config-signing.key';
export const SIGNING_CERT_FILE = 'config-signing.cert.json';
export const DEFAULT_SIGNING_KEY_DAYS = 365;
const DAY_MS = 86_400_000;

export interface LoadedSigningKey {
  privateKey: KeyObject;
  certificate: SignedSigningKey;
  keyId: string;
  version: number;
  expires: string;
}

/** `transient`: the files do not hold together (a rotation half-way): the previous good key stays in use. */
export type SigningKeyRead = { ok: true; key: LoadedSigningKey } | { ok: false; reason: string; transient?: boolean };

/** Written next to the target and renamed over it: a reader never sees half a file. */
function writeAtomically(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}

function readCertificate(dataDir: string): SignedSigningKey | null {
  const path = join(dataDir, SIGNING_CERT_FILE);
  if (!existsSync(path)) return null;
  const parsed = signedSigningKeySchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : null;
}

/**
 * A new signing key certified by the root (`rootPrivateKeyPem`, HQ's hq-root.key), replacing the hub's current one.
 * Refused unless the root's public half is the one this hub hands kiosks (hq-root.pub): kiosks would refuse anything
 * another root certified.
 */
export function createSigningKey(dataDir: string, rootPrivateKeyPem: string, options: { days?: number; now?: Date } = {}): { version: number; keyId: string; expires: string; keyPath: string; certPath: string } {
  const installed = readHqRootPublicKey(dataDir);
  if (!installed) throw new CodedError('HQ_ROOT_MISSING', `${dataDir} has no hq-root.pub: install HQ's public root key first (memberkiosk keys install-public)`);
  if (/PUBLIC KEY/.test(rootPrivateKeyPem) && !/PRIVATE KEY/.test(rootPrivateKeyPem)) throw new CodedError('HQ_KEY_INVALID', 'that is the public root key: sign-key needs the private one (hq-root.key)');
  let root: KeyObject;
  try {
    root = createPrivateKey(rootPrivateKeyPem);
  } catch {
    throw new CodedError('HQ_KEY_INVALID', 'the root key file is not a private key in PEM');
  }
  if (root.asymmetricKeyType !== 'ed25519') throw new CodedError('HQ_KEY_INVALID', 'the root key is not an Ed25519 key');
  const rootPublic = createPublicKey(root).export({ type: 'spki', format: 'pem' }).toString();
  if (rootPublic !== installed) throw new CodedError('HQ_ROOT_MISMATCH');
  const days = options.days ?? DEFAULT_SIGNING_KEY_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 3_650) throw new CodedError('BAD_REQUEST', '--days is a whole number of days from 1 to 3650');
  const now = options.now ?? new Date();
  // The next version after any certificate the hub holds, even one of an older root: versions only go up.
  let previous = 0;
  try {
    previous = readCertificate(dataDir)?.signed.version ?? 0;
  } catch {
    previous = 0;
  }
  const pair = generateKeyPairSync('ed25519');
  const certificate = certifySigningKey(root, pair.publicKey, { version: previous + 1, issuedAt: now.toISOString(), expires: new Date(now.getTime() + days * DAY_MS).toISOString() });
  const keyPath = join(dataDir, SIGNING_KEY_FILE);
  const certPath = join(dataDir, SIGNING_CERT_FILE);
  // The key first: a hub reading between the two writes sees a pair that does not match and keeps its old one.
  writeAtomically(keyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  writeAtomically(certPath, `${JSON.stringify(certificate, null, 2)}\n`, 0o644);
  return { version: certificate.signed.version, keyId: certificate.signed.keyId, expires: certificate.signed.expires, keyPath, certPath };
}

/** The hub's signing key as the files are now, checked against the installed root and the clock. */
export function readSigningKey(dataDir: string, nowMs = Date.now()): SigningKeyRead {
  const keyPath = join(dataDir, SIGNING_KEY_FILE);
  const certPath = join(dataDir, SIGNING_CERT_FILE);
  if (!existsSync(keyPath) || !existsSync(certPath)) return { ok: false, reason: 'no signing key (memberkiosk keys sign-key)' };
  let root: string | null;
  try {
    root = readHqRootPublicKey(dataDir);
  } catch {
    return { ok: false, reason: 'the installed hq-root.pub is not an Ed25519 public key' };
  }
  if (!root) return { ok: false, reason: 'no HQ root public key installed (memberkiosk keys install-public)' };
  let certificate: SignedSigningKey | null;
  let privateKey: KeyObject;
  try {
    certificate = readCertificate(dataDir);
    privateKey = createPrivateKey(readFileSync(keyPath, 'utf8'));
  } catch (error) {
    return { ok: false, reason: `the signing key files cannot be read: ${(error as Error).message}`, transient: true };
  }
  if (!certificate) return { ok: false, reason: `${SIGNING_CERT_FILE} is not a signing-key certificate` };
  if (privateKey.asymmetricKeyType !== 'ed25519') return { ok: false, reason: 'the signing key is not Ed25519' };
  if (keyIdOf(createPublicKey(privateKey)) !== certificate.signed.keyId) return { ok: false, reason: 'the signing key is not the one its certificate names', transient: true };
  if (!verifyDocument('signing-key', certificate.signed, certificate.signatures, root)) return { ok: false, reason: 'the signing key certificate is not signed by the installed HQ root' };
  if (Date.parse(certificate.signed.expires) <= nowMs) return { ok: false, reason: `the signing key certificate expired at ${certificate.signed.expires}` };
  return { ok: true, key: { privateKey, certificate, keyId: certificate.signed.keyId, version: certificate.signed.version, expires: certificate.signed.expires } };
}

/**
 * The current signing key, read again when the files (or the installed root) change. A pair caught half-written
 * by a rotation keeps the previous good key until the files hold together again.
 */
export class SigningKeyLoader {
  private stamp = '';
  private last: SigningKeyRead = { ok: false, reason: 'not read yet' };
  private good: LoadedSigningKey | null = null;

  constructor(private readonly dataDir: string, private readonly nowMs: () => number = Date.now) {}

  private fileStamp(): string {
    return [SIGNING_KEY_FILE, SIGNING_CERT_FILE, 'hq-root.pub']
      .map((name) => {
        try {
          const s = statSync(join(this.dataDir, name));
          return `${s.mtimeMs}/${s.size}/${s.ino}`;
        } catch {
          return '-';
        }
      })
      .join('|');
  }

  /** The key to sign with now, or why there is none. */
  read(): SigningKeyRead {
    const stamp = this.fileStamp();
    const expired = this.good !== null && Date.parse(this.good.expires) <= this.nowMs();
    if (stamp !== this.stamp || expired) {
      this.stamp = stamp;
      if (expired) this.good = null;
      this.last = readSigningKey(this.dataDir, this.nowMs());
      if (this.last.ok) this.good = this.last.key;
      else if (!this.last.transient) this.good = null;
    }
    return this.good ? { ok: true, key: this.good } : this.last;
  }

  current(): LoadedSigningKey | null {
    const read = this.read();
    return read.ok ? read.key : null;
  }

  /** The key, or SIGNING_KEY_MISSING saying why there is none. */
  require(): LoadedSigningKey {
    const read = this.read();
    if (!read.ok) throw new CodedError('SIGNING_KEY_MISSING', `the hub cannot sign configuration: ${read.reason}`);
    return read.key;
  }
}
