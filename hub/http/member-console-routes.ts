/**
 * The HQ console's member reads (console/): search and a member's whole record. The role first (require-staff.ts,
 * MEMBER_READERS), then the scope: the search runs in the caller's scope (the back end's query narrows it, core's
 * rule checks each hit again, as member-access.ts does for listings), and a record outside it is answered 404
 * MEMBER_UNKNOWN exactly as a member who does not exist.
 *
 *   GET /api/member-search?q=TEXT&field=any|member|card|phone|name&limit=N
 *   GET /api/members/:memberId/record?history=N
 *
 * Phone numbers are shown in full only to the roles in PHONE_READERS; everyone else gets the masked number the
 * kiosk shows (core/privacy/mask.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { memberInScope, memberScopeOf } from '../../core/identity/member-scope.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import { maskPhone } from '../../core/privacy/mask.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { MemberConsoleStore } from '../ledger/member-console-store.ts';
import { assertMemberInScope, type MemberAccessStore } from './member-access.ts';
import { MEMBER_READERS, requireStaff } from './require-staff.ts';

/** Roles that see members' phone numbers in full (the rest see the last four digits). */
export const PHONE_READERS: readonly StaffRole[] = ['hq_admin'];

export interface MemberConsoleRoutesDeps {
  identity: IdentityService;
  store: MemberAccessStore;
  reads: MemberConsoleStore;
}

const searchQuery = z.object({
  q: z.string().trim().min(1).max(64),
  field: z.enum(['any', 'member', 'card', 'phone', 'name']).default('any'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const recordQuery = z.object({ history: z.coerce.number().int().min(0).max(500).default(100) });

export function registerMemberConsoleRoutes(app: FastifyInstance, deps: MemberConsoleRoutesDeps): void {
  const phoneFor = (role: StaffRole, phone: string) => (PHONE_READERS.includes(role) ? phone : maskPhone(phone));

  app.get('/api/member-search', async (request) => {
    const { staff } = await requireStaff(deps.identity, request, MEMBER_READERS);
    const query = parseRequest(searchQuery, request.query);
    const scope = memberScopeOf(staff.storeIds);
    const hits = await deps.reads.searchMembers({ text: query.q, field: query.field }, scope, query.limit);
    const members = [];
    for (const hit of hits) {
      if (scope.kind !== 'chain') {
        const stores = await deps.store.memberStores(hit.memberId);
        if (!stores || !memberInScope(scope, stores)) continue;
      }
      members.push({ ...hit, phone: phoneFor(staff.role, hit.phone) });
    }
    return { members, phoneVisible: PHONE_READERS.includes(staff.role) };
  });

  app.get<{ Params: { memberId: string } }>('/api/members/:memberId/record', async (request) => {
    const { staff } = await requireStaff(deps.identity, request, MEMBER_READERS);
    await assertMemberInScope(deps.store, staff, request.params.memberId);
    const { history } = parseRequest(recordQuery, request.query);
    const record = await deps.reads.memberRecord(request.params.memberId, history);
    if (!record) throw new CodedError('MEMBER_UNKNOWN');
    return { ...record, phone: phoneFor(staff.role, record.phone), phoneVisible: PHONE_READERS.includes(staff.role) };
  });
}
