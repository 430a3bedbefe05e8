/**
 * What a printed receipt claims, as the kiosk signs it for the QR code: the transaction, the kiosk and store, the
 * time, the total and the member's card as printed (masked). Encoded as a small binary record rather than JSON so
 * the QR code stays small enough to scan on 58 mm paper (about 50 bytes besides the two ids):
 *
 *   txId        16 bytes   the ULID's 128 bits
 *   at           4 bytes   seconds since 1970, unsigned big-endian (the printed time, to the second)
 *   totalCents   varint    unsigned LEB128
 *   deviceId     1 + n     length, then ASCII (DEVICE_ID_PATTERN)
 *   storeId      1 + n     length, then UTF-8 (at most 255 bytes)
 *   card         2 + n     the count of masked characters, the length of the shown tail, then the tail (ASCII)
 *
 * Pure: no I/O, no clock. The signature and the text form are receipt-qr.ts.
 */
import { CodedError } from '../errors/coded-error.ts';
import { ULID_PATTERN } from '../ids/ulid.ts';
import { DEVICE_ID_PATTERN } from '../wire/topics.ts';

export interface ReceiptClaim {
  txId: string;
  deviceId: string;
  storeId: string;
  /** ISO 8601 UTC to the second ("2026-12-01T13:05:09Z"): a finer time is cut to its second when encoded. */
  at: string;
  totalCents: number;
  /** The card as the receipt prints it: "******3D4A" (core/privacy/mask.ts maskCardUid). */
  cardMasked: string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_SECONDS = 0xffff_ffff;

function malformed(why: string): CodedError {
  return new CodedError('RECEIPT_QR_MALFORMED', `receipt code: ${why}`);
}

/** A ULID's 26 Crockford characters as its 16 bytes (the first character carries only 3 bits). */
function ulidToBytes(ulid: string): Uint8Array {
  let value = 0n;
  for (const char of ulid) value = (value << 5n) | BigInt(CROCKFORD.indexOf(char));
  const bytes = new Uint8Array(16);
  for (let i = 15; i >= 0; i -= 1) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

function bytesToUlid(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 26; i += 1) {
    out = CROCKFORD[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}

function pushVarint(out: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

function pushShortText(out: number[], text: string, what: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > 255) throw new CodedError('BAD_REQUEST', `${what} is longer than a receipt code holds (255 bytes)`);
  out.push(bytes.length, ...bytes);
}

/** The claim's bytes, what the kiosk signs. Refuses (BAD_REQUEST) a claim that cannot be encoded faithfully. */
export function encodeReceiptClaim(claim: ReceiptClaim): Uint8Array {
  if (!ULID_PATTERN.test(claim.txId)) throw new CodedError('BAD_REQUEST', 'a receipt code names a ULID transaction id');
  if (!DEVICE_ID_PATTERN.test(claim.deviceId)) throw new CodedError('DEVICE_ID_INVALID');
  if (!Number.isSafeInteger(claim.totalCents) || claim.totalCents < 0) throw new CodedError('MONEY_NOT_INTEGER', 'a receipt total is a non-negative whole number of cents');
  const ms = Date.parse(claim.at);
  if (Number.isNaN(ms) || ms < 0 || ms / 1000 > MAX_SECONDS) throw new CodedError('BAD_REQUEST', `a receipt time is an ISO time after 1970, not ${claim.at}`);
  const stars = /^\**/.exec(claim.cardMasked)?.[0].length ?? 0;
  const tail = claim.cardMasked.slice(stars);
  if (stars > 255 || !/^[\x21-\x7e]{0,8}$/.test(tail)) throw new CodedError('BAD_REQUEST', 'a receipt card is masked: stars, then at most 8 shown characters');

  const out: number[] = [...ulidToBytes(claim.txId)];
  const seconds = Math.floor(ms / 1000);
  out.push((seconds >>> 24) & 0xff, (seconds >>> 16) & 0xff, (seconds >>> 8) & 0xff, seconds & 0xff);
  pushVarint(out, claim.totalCents);
  pushShortText(out, claim.deviceId, 'the device id');
  pushShortText(out, claim.storeId, 'the store id');
  out.push(stars, tail.length, ...new TextEncoder().encode(tail));
  return Uint8Array.from(out);
}

/** Reads what encodeReceiptClaim wrote, all of it and nothing more; RECEIPT_QR_MALFORMED otherwise. */
export function decodeReceiptClaim(bytes: Uint8Array): ReceiptClaim {
  let at = 0;
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) throw malformed('too short');
    const part = bytes.subarray(at, at + n);
    at += n;
    return part;
  };
  const byte = (): number => take(1)[0]!;
  const text = (what: string): string => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(take(byte()));
    } catch (error) {
      if (error instanceof CodedError) throw error;
      throw malformed(`${what} is not UTF-8`);
    }
  };

  const idBytes = take(16);
  // A ULID is 130 bits of text for 128 of value: the top character only reaches 7 ('7ZZZ…' is the largest).
  const txId = bytesToUlid(idBytes);
  const s = take(4);
  const seconds = ((s[0]! << 24) >>> 0) + (s[1]! << 16) + (s[2]! << 8) + s[3]!;
  let totalCents = 0;
  let scale = 1;
  for (let i = 0; ; i += 1) {
    if (i >= 8) throw malformed('the total is too long');
    const b = byte();
    totalCents += (b & 0x7f) * scale;
    scale *= 0x80;
    if ((b & 0x80) === 0) break;
  }
  if (!Number.isSafeInteger(totalCents)) throw malformed('the total is out of range');
  const deviceId = text('the device id');
  if (!DEVICE_ID_PATTERN.test(deviceId)) throw malformed('the device id is not one');
  const storeId = text('the store id');
  if (storeId === '') throw malformed('the store id is empty');
  const stars = byte();
  const tail = text('the card');
  if (!/^[\x21-\x7e]{0,8}$/.test(tail)) throw malformed('the card tail is not printable');
  if (at !== bytes.length) throw malformed('trailing bytes');
  return {
    txId,
    deviceId,
    storeId,
    at: new Date(seconds * 1000).toISOString().replace('.000Z', 'Z'),
    totalCents,
    cardMasked: `${'*'.repeat(stars)}${tail}`,
  };
}
