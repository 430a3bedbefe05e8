/**
 * A staff card is found by a keyed hash of its UID, never by the UID itself: the ledger holds no staff card
 * number in clear, and a copy of the database without the hub's key (kept beside it in schema_meta, but never
 * exported with reports or payloads) does not tell which card opens which account. HMAC rather than a plain hash
 * because UIDs are short (4–10 bytes): a plain SHA-256 of every 4-byte UID is a few minutes' work.
 */
import { createHmac, randomBytes } from 'node:crypto';

export function staffCardHash(key: Buffer, cardUid: string): string {
  return createHmac('sha256', key).update(cardUid.toUpperCase()).digest('hex');
}

export function newStaffCardKey(): Buffer {
  return randomBytes(32);
}
