/**
 * A flow names what must happen once with an idempotency key it makes up (`birthday:M0003:2026`); the ledger
 * knows a transaction once by its id. The id is therefore derived from the key: the same key in the same scope
 * is always the same ULID, so a flow re-run, a Node-RED restart or a second hub process asking again finds the
 * transaction already stored (HqApplyOptions.id) instead of granting twice.
 *
 * The scope keeps keys of different calls apart (a grant's `x` and a message's `x` are not the same thing). The
 * id is SHA-256 of scope and key, its first 128 bits in Crockford base32 like any ULID — 26 characters, the first
 * 0–7, since a ULID is 128 bits in 130 — so it passes every ULID check. Its "time" part is not a time: nothing
 * reads one out of a transaction id (transactions are dated by createdAt).
 */
import { createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function keyToUlid(scope: string, key: string): string {
  // A separator that neither may hold keeps ('a:b', 'c') and ('a', 'b:c') apart.
  const digest = createHash('sha256').update(scope).update('\u0000').update(key).digest();
  let value = digest.readBigUInt64BE(0) * 2n ** 64n + digest.readBigUInt64BE(8);
  let out = '';
  for (let i = 0; i < 26; i += 1) {
    out = ALPHABET[Number(value % 32n)]! + out;
    value /= 32n;
  }
  return out;
}
