/**
 * Who is calling the hub's API: a bearer token (`Authorization: Bearer …`, an API token or a login's) or the
 * console's session cookie. A route names the roles it allows; a caller without a valid session gets 401
 * AUTH_REQUIRED, one whose role does not fit 403 AUTH_FORBIDDEN. Nothing is read or changed before that.
 */
import type { FastifyRequest } from 'fastify';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import type { IdentityService, SignedIn } from '../identity/identity-service.ts';

export const SESSION_COOKIE = 'mk_session';

/** Roles that may read members' personal data at the hub. */
export const MEMBER_READERS: readonly StaffRole[] = ['hq_admin', 'region_manager', 'store_manager'];

export function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const cookie = request.headers.cookie;
  if (typeof cookie !== 'string') return null;
  for (const part of cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='));
  }
  return null;
}

export async function requireStaff(identity: IdentityService, request: FastifyRequest, roles: readonly StaffRole[]): Promise<SignedIn> {
  const token = bearerOf(request);
  const signedIn = token ? await identity.authenticate(token) : null;
  if (!signedIn) throw new CodedError('AUTH_REQUIRED');
  if (!roles.includes(signedIn.staff.role)) throw new CodedError('AUTH_FORBIDDEN', `role ${signedIn.staff.role} may not do this`);
  return signedIn;
}
