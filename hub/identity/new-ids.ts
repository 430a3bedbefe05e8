/** Identifiers the identity model hands out: unguessable where they authorise anything. */
import { randomBytes } from 'node:crypto';

export function newStaffId(): string {
  return `staff-${randomBytes(6).toString('hex')}`;
}

/** 192 random bits: a kiosk names it in each staff transaction, so it must not be guessable from another. */
export function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}

/** A bearer token for a hub login or an API token: 256 random bits; only its SHA-256 is stored. */
export function newBearerToken(): string {
  return randomBytes(32).toString('base64url');
}
