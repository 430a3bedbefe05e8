/**
 * A kiosk's MQTT secret: 256 random bits, shown to the kiosk once at enrolment; the hub keeps only its SHA-256.
 * A fast hash is right here (unlike for PINs and passwords): the secret has full entropy, so nothing can be
 * guessed from its hash, and checking 500 kiosks reconnecting at once costs microseconds each.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function newDeviceSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Constant-time: how much of the hash matched is not told by how long the answer took. */
export function secretMatches(presented: Buffer | string, storedSha256Hex: string): boolean {
  const presentedHash = createHash('sha256').update(presented).digest();
  const stored = Buffer.from(storedSha256Hex, 'hex');
  return stored.length === presentedHash.length && timingSafeEqual(presentedHash, stored);
}
