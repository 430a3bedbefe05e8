/**
 * The hub's TLS material. On first start the hub makes a small CA of its own (ECDSA P-256, 10 years) and a
 * server certificate it signs for loopback and the configured host names; both live under DATA/tls/ with their
 * keys mode 0600. The server certificate is issued again when the host names change or it nears its end; the CA
 * is kept, since every enrolment code and every kiosk pins it (its SHA-256 is in the code).
 *
 * A chain with its own PKI configures its own certificate, key and CA instead (`own`): then the code carries the
 * hash of that CA, and the hub writes nothing.
 *
 * @peculiar/x509 issues the certificates on WebCrypto: node:crypto can read X.509 but cannot issue it.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, createPrivateKey, X509Certificate, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../core/errors/coded-error.ts';

x509.cryptoProvider.set(webcrypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const CA_LIFETIME_DAYS = 3_650;
const SERVER_LIFETIME_DAYS = 397;
/** A server certificate with less than this left is issued again at start. */
const RENEW_BEFORE_DAYS = 30;
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

export interface HubTls {
  /** The CA certificate (PEM) a kiosk trusts. */
  caPem: string;
  /** SHA-256 hex of the CA certificate's DER: what an enrolment code carries. */
  caSha256: string;
  /** Server certificate followed by the CA, so a client sees the whole chain. */
  certChainPem: string;
  keyPem: string;
}

export interface OwnTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export const tlsDirOf = (dataDir: string) => join(dataDir, 'tls');

export function caSha256Of(caPem: string): string {
  return createHash('sha256').update(new X509Certificate(caPem).raw).digest('hex');
}

/** The hub's CA (made now if there is none yet). The CLI calls this too: `enrol create` needs the CA's hash. */
export async function ensureHubCa(dataDir: string): Promise<{ caPem: string; caKeyPem: string; caSha256: string }> {
  const dir = tlsDirOf(dataDir);
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: `CN=memberkiosk hub CA ${new Date(now).toISOString().slice(0, 10)}`,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + CA_LIFETIME_DAYS * DAY_MS),
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    writeSecret(keyPath, await privateKeyPem(keys.privateKey));
    writeFileSync(certPath, cert.toString('pem') + '\n', { mode: 0o644 });
  }
  const caPem = readFileSync(certPath, 'utf8');
  return { caPem, caKeyPem: readFileSync(keyPath, 'utf8'), caSha256: caSha256Of(caPem) };
}

/** The CA, and a server certificate for loopback and `hostNames` (issued now if missing, stale or for other names). */
export async function ensureHubTls(dataDir: string, hostNames: readonly string[], own?: OwnTlsFiles): Promise<HubTls> {
  if (own) return loadOwnTls(own);
  const ca = await ensureHubCa(dataDir);
  const dir = tlsDirOf(dataDir);
  const certPath = join(dir, 'server.crt');
  const keyPath = join(dir, 'server.key');
  const names = [...new Set([...LOOPBACK_NAMES, ...hostNames])];
  if (!serverCertUsable(certPath, keyPath, ca.caPem, names)) {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const caCert = new x509.X509Certificate(ca.caPem);
    const caKey = await webcrypto.subtle.importKey('pkcs8', createPrivateKey(ca.caKeyPem).export({ type: 'pkcs8', format: 'der' }), ALGORITHM, false, ['sign']);
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${names.find((n) => !(LOOPBACK_NAMES as readonly string[]).includes(n)) ?? 'localhost'}`,
      issuer: caCert.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + SERVER_LIFETIME_DAYS * DAY_MS),
      signingAlgorithm: ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: isIp(value) ? ('ip' as const) : ('dns' as const), value }))),
        await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ],
    });
    writeSecret(keyPath, await privateKeyPem(keys.privateKey));
    writeFileSync(certPath, cert.toString('pem') + '\n', { mode: 0o644 });
  }
  return { caPem: ca.caPem, caSha256: ca.caSha256, certChainPem: readFileSync(certPath, 'utf8') + ca.caPem, keyPem: readFileSync(keyPath, 'utf8') };
}

function loadOwnTls(own: OwnTlsFiles): HubTls {
  try {
    const caPem = readFileSync(own.caFile, 'utf8');
    const certPem = readFileSync(own.certFile, 'utf8');
    const keyPem = readFileSync(own.keyFile, 'utf8');
    const leaf = new X509Certificate(certPem);
    if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('the key does not belong to the certificate');
    const chain = certPem.includes(caPem.trim()) ? certPem : certPem.trimEnd() + '\n' + caPem;
    return { caPem, caSha256: caSha256Of(caPem), certChainPem: chain, keyPem };
  } catch (error) {
    throw new CodedError('TLS_CONFIG_INVALID', `TLS certificate, key or CA unusable: ${(error as Error).message}`);
  }
}

function serverCertUsable(certPath: string, keyPath: string, caPem: string, names: readonly string[]): boolean {
  if (!existsSync(certPath) || !existsSync(keyPath)) return false;
  const cert = new X509Certificate(readFileSync(certPath));
  if (!cert.verify(new X509Certificate(caPem).publicKey)) return false;
  if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_DAYS * DAY_MS) return false;
  return names.every((name) => (isIp(name) ? cert.checkIP(name) !== undefined : cert.checkHost(name) !== undefined));
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file; an existing one is narrowed too.
  chmodSync(path, 0o600);
}

function randomSerial(): string {
  // Positive (high bit clear) 16-byte serial, as RFC 5280 asks.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function isIp(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}
