/**
 * The Idempotency-Key request header (the IETF httpapi draft's name): 1–128 printable ASCII characters the
 * client chooses per logical request, typically a UUID. Absent is fine; malformed is refused, because a key
 * silently ignored would let a retry charge twice.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { CodedError } from '../../core/errors/coded-error.ts';

const KEY_PATTERN = /^[\x21-\x7E]{1,128}$/;

export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    throw new CodedError('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be one header of 1–128 printable ASCII characters');
  }
  return value;
}
