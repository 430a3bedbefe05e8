/**
 * The one-time code a technician types into `memberkiosk provision`: `MK1-<secret>-<ca hash>`.
 *
 * - `secret`: 128 random bits in Crockford base32 (26 characters, no I/L/O/U to misread); the hub keeps only
 *   its SHA-256, so a copy of the fleet database enrols nobody.
 * - `ca hash`: the SHA-256 (hex) of the DER of the hub's CA certificate, as kubeadm's
 *   `--discovery-token-ca-cert-hash`: the kiosk accepts a hub only if it presents that CA, so it trusts the
 *   right hub from its very first connection, before any secret is sent.
 *
 * Pure: the random bytes and hashing are the caller's (hub/fleet/enrolment.ts).
 */
export const ENROLMENT_CODE_PREFIX = 'MK1';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SECRET_CHARS = 26;
const CODE_PATTERN = new RegExp(`^${ENROLMENT_CODE_PREFIX}-([${CROCKFORD}]{${SECRET_CHARS}})-([0-9a-f]{64})$`);

export interface EnrolmentCode {
  /** The part only the hub's hash of it can check. */
  secret: string;
  /** SHA-256 hex of the hub's CA certificate (DER). */
  caSha256: string;
}

/** 16 random bytes → 26 Crockford base32 characters. */
export function encodeEnrolmentSecret(random16: Uint8Array): string {
  if (random16.length !== 16) throw new Error('an enrolment secret is 16 random bytes');
  let bits = 0n;
  for (const byte of random16) bits = (bits << 8n) | BigInt(byte);
  bits <<= 2n; // 128 bits padded to 130 = 26 × 5
  let out = '';
  for (let i = SECRET_CHARS - 1; i >= 0; i -= 1) out += CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)];
  return out;
}

export function formatEnrolmentCode(code: EnrolmentCode): string {
  return `${ENROLMENT_CODE_PREFIX}-${code.secret}-${code.caSha256}`;
}

/** Null when the text is not an enrolment code. Case and surrounding blanks are forgiven in the secret (typed by hand). */
export function parseEnrolmentCode(text: string): EnrolmentCode | null {
  const trimmed = text.trim();
  const dash = trimmed.lastIndexOf('-');
  const normal = `${trimmed.slice(0, dash).toUpperCase()}${trimmed.slice(dash).toLowerCase()}`;
  const match = CODE_PATTERN.exec(normal);
  if (!match) return null;
  return { secret: match[1]!, caSha256: match[2]! };
}
