/**
 * Readers disagree on how they spell a UID ("04:a1:b2", "04 A1 B2", "04a1b2"); the rest of the system sees
 * one spelling: uppercase hex, no separators. Returns undefined for anything that is not a plausible UID.
 */
const SEPARATORS = /[\s:.-]/g;
const HEX = /^[0-9A-F]+$/;

/** 4 bytes (MIFARE single) to 10 bytes (triple-size UID); 125 kHz EM tags are 5 bytes. */
export const MIN_UID_HEX_CHARS = 8;
export const MAX_UID_HEX_CHARS = 20;

export function normalizeUid(raw: string): string | undefined {
  const hex = raw.replace(SEPARATORS, '').toUpperCase();
  if (hex.length < MIN_UID_HEX_CHARS || hex.length > MAX_UID_HEX_CHARS || hex.length % 2 !== 0) return undefined;
  return HEX.test(hex) ? hex : undefined;
}
