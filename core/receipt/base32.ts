/**
 * RFC 4648 base32 (A–Z, 2–7), without padding. Chosen for the receipt QR code over base64url because every one of
 * its characters is in the QR code's alphanumeric set (5.5 bits a character there, against 8 for base64url's
 * byte mode): the same payload makes a QR code a version or two smaller, whose modules print larger on 58 mm paper.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const VALUES = new Map([...ALPHABET].map((char, value) => [char, value] as const));

export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    // Only the unread low bits matter; keeping the buffer small keeps it inside 32-bit arithmetic.
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The bytes, or null when the text holds a character outside the alphabet or leftover bits that are not zero. */
export function decodeBase32(text: string): Uint8Array | null {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = VALUES.get(char);
    if (value === undefined) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
    buffer &= (1 << bits) - 1;
  }
  // A canonical encoding pads its last character with zero bits, and never holds a whole spare byte.
  if (bits >= 5 || buffer !== 0) return null;
  return Uint8Array.from(out);
}
