/**
 * The receipt's QR code: `MKR1:` then, in base32, the claim's bytes (receipt-claim.ts) followed by the kiosk's
 * Ed25519 signature over them (64 bytes). The kiosk signs with its own key from enrolment (device.key, never
 * leaving its data directory); the hub, which registered the public half at enrolment, verifies. The signed bytes
 * start with a domain string, so a kiosk signature made for anything else can never pass as a receipt's.
 *
 * The prefix names the format version: a later format gets `MKR2:` and readers tell them apart before decoding.
 * Upper case letters, digits and ':' only, so the whole text is in the QR code's alphanumeric mode (base32.ts).
 * Pure (node:crypto signs and verifies; nothing is read or written).
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { CodedError } from '../errors/coded-error.ts';
import { decodeBase32, encodeBase32 } from './base32.ts';
import { decodeReceiptClaim, encodeReceiptClaim, type ReceiptClaim } from './receipt-claim.ts';

export const RECEIPT_QR_PREFIX = 'MKR1:';
const DOMAIN = new TextEncoder().encode('memberkiosk-receipt-v1\n');
const SIGNATURE_BYTES = 64;
/** Longer text is not a receipt code (a v1 code is ~190 characters with 10-character ids, at most ~660). */
const MAX_QR_TEXT = 1024;

export interface ParsedReceiptQr {
  claim: ReceiptClaim;
  /** The bytes the signature is over (without the domain string). */
  claimBytes: Uint8Array;
  signature: Uint8Array;
}

function signedBytes(claimBytes: Uint8Array): Buffer {
  return Buffer.concat([DOMAIN, claimBytes]);
}

/** The QR code's text for a claim, signed with the kiosk's Ed25519 private key. */
export function signReceiptQr(claim: ReceiptClaim, privateKey: KeyObject): string {
  const claimBytes = encodeReceiptClaim(claim);
  const signature = sign(null, signedBytes(claimBytes), privateKey);
  return `${RECEIPT_QR_PREFIX}${encodeBase32(Buffer.concat([claimBytes, signature]))}`;
}

/**
 * The claim and signature in a scanned or pasted text (surrounding blanks ignored, any letter case: a scanner may
 * type it in lower case). RECEIPT_QR_MALFORMED for anything else. Says nothing about whether it is genuine.
 */
export function parseReceiptQr(text: string): ParsedReceiptQr {
  const trimmed = text.trim().toUpperCase();
  if (trimmed.length > MAX_QR_TEXT) throw new CodedError('RECEIPT_QR_MALFORMED', 'receipt code: too long');
  if (!trimmed.startsWith(RECEIPT_QR_PREFIX)) throw new CodedError('RECEIPT_QR_MALFORMED', `receipt code: does not start with ${RECEIPT_QR_PREFIX}`);
  const bytes = decodeBase32(trimmed.slice(RECEIPT_QR_PREFIX.length));
  if (!bytes) throw new CodedError('RECEIPT_QR_MALFORMED', 'receipt code: not base32');
  if (bytes.length <= SIGNATURE_BYTES) throw new CodedError('RECEIPT_QR_MALFORMED', 'receipt code: too short');
  const claimBytes = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  return { claim: decodeReceiptClaim(claimBytes), claimBytes, signature: bytes.subarray(bytes.length - SIGNATURE_BYTES) };
}

/** True when the signature is the given Ed25519 public key's (PEM or key object); a malformed key is false, not a throw. */
export function verifyReceiptQr(parsed: ParsedReceiptQr, publicKey: KeyObject | string): boolean {
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, signedBytes(parsed.claimBytes), key, parsed.signature);
  } catch {
    return false;
  }
}
