/**
 * Staff accounts and the signed-in account's own over the hub's API, for the HQ console's Staff and My account
 * pages — what `memberkiosk staff` does on the data directory, with who may do it checked on each call:
 *
 * | route | who |
 * |---|---|
 * | `GET /api/staff` — the accounts (never a secret's hash) | HQ admin and region manager: all; store manager: the staff of their stores |
 * | `POST /api/staff` `{name, role, storeIds, login?+password?, cardUid?+pin?}` | HQ admin; a store manager: cashiers of their own stores |
 * | `PATCH /api/staff/:staffId` `{name?, role?, storeIds?}` | the same, before and after the change |
 * | `POST /api/staff/:staffId/active` `{active}` — deactivate (ends their sessions) or reactivate | the same |
 * | `POST /api/staff/:staffId/pin` `{pin}`, `…/password` `{password}` — reset (unlocks; a password ends their sessions) | the same |
 * | `POST /api/me/password` `{currentPassword, newPassword}` — one's own (other sessions end) | any signed-in staff |
 * | `GET /api/me/sessions`, `POST /api/me/sessions/:ref/end` — one's own open sessions, sign one out | any signed-in staff |
 *
 * No one changes their own account through the staff routes (role, stores, active, secrets): an HQ admin cannot lock
 * themselves out or skip the current password. A refusal for scope (a store manager naming another store's staff,
 * or a role above cashier) is 403 AUTH_FORBIDDEN and written to the audit log; nothing is changed. A session is
 * named by a reference (a hash of its id), never by the id a kiosk puts in its transactions.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { STAFF_ROLES, type StaffRole } from '../../core/ledger/types.ts';
import type { AuditActor, IdentityService, SignedIn } from '../identity/identity-service.ts';
import type { IdentityStore, StaffAccount, StoredSession } from '../identity/identity-store.ts';
import { requireStaff } from './require-staff.ts';

export interface StaffRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'listStaff' | 'appendAudit'>;
  /** Whether a store exists (the fleet); absent, any store id is taken as given (a hub without a fleet). */
  storeExists?: ((storeId: string) => Promise<boolean>) | undefined;
}

const ALL_ROLES: readonly StaffRole[] = STAFF_ROLES;
/** Who may open the staff list at all; what each may change is `mayManage`. */
const STAFF_READERS: readonly StaffRole[] = ['hq_admin', 'region_manager', 'store_manager'];
const STAFF_MANAGERS: readonly StaffRole[] = ['hq_admin', 'store_manager'];

const storeIds = z.array(z.string().regex(/^(\*|[A-Za-z0-9_-]{1,64})$/, "a store id, or '*' for all")).min(1).max(100);
const createBody = z.object({
  name: z.string().max(64),
  role: z.enum(STAFF_ROLES),
  storeIds,
  login: z.string().trim().min(1).max(64).optional(),
  password: z.string().max(200).optional(),
  cardUid: z.string().trim().max(32).optional(),
  pin: z.string().max(8).optional(),
});
const changeBody = z.object({ name: z.string().max(64).optional(), role: z.enum(STAFF_ROLES).optional(), storeIds: storeIds.optional() });
const activeBody = z.object({ active: z.boolean() });
const pinBody = z.object({ pin: z.string().max(8) });
const passwordBody = z.object({ password: z.string().max(200) });
const ownPasswordBody = z.object({ currentPassword: z.string().min(1).max(200), newPassword: z.string().max(200) });

type Actor = SignedIn['staff'];

/** `stores` are all among `scope`'s ('*' in scope: any; '*' in stores: only a '*' scope). */
function within(stores: readonly string[], scope: readonly string[]): boolean {
  return scope.includes('*') || stores.every((s) => s !== '*' && scope.includes(s));
}

/**
 * Whether `actor` may create, change or reset an account of this role and these stores: an HQ admin any; a
 * store manager a cashier whose every store is one of theirs; no one else (a region manager reads the list only).
 */
export function mayManage(actor: Pick<Actor, 'role' | 'storeIds'>, target: { role: StaffRole; storeIds: readonly string[] }): boolean {
  if (actor.role === 'hq_admin') return true;
  if (actor.role === 'store_manager') return target.role === 'cashier' && within(target.storeIds, actor.storeIds);
  return false;
}

/** Whether `actor` sees `account` in the staff list: HQ and region managers all (as before); a store manager their stores' staff. */
export function maySee(actor: Pick<Actor, 'role' | 'storeIds' | 'staffId'>, account: Pick<StaffAccount, 'storeIds' | 'staffId'>): boolean {
  if (actor.role === 'hq_admin' || actor.role === 'region_manager') return true;
  if (actor.role !== 'store_manager') return false;
  if (account.staffId === actor.staffId || actor.storeIds.includes('*')) return true;
  return account.storeIds.some((s) => s !== '*' && actor.storeIds.includes(s));
}

/** The public reference of a session: enough to name it back, never the id a kiosk's transactions carry. */
export function sessionRef(sessionId: string): string {
  return createHash('sha256').update(`session-ref:${sessionId}`).digest('hex').slice(0, 24);
}

function accountView(a: StaffAccount) {
  return {
    staffId: a.staffId, name: a.name, role: a.role, storeIds: a.storeIds, active: a.active, login: a.login,
    hasCard: a.hasCard, hasPin: a.hasPin, hasPassword: a.hasPassword, level: a.level, lockedUntil: a.lockedUntil,
  };
}

function sessionView(s: StoredSession, current: string) {
  return { ref: sessionRef(s.sessionId), kind: s.kind, deviceId: s.deviceId, label: s.label, openedAt: s.openedAt, expiresAt: s.expiresAt, current: s.sessionId === current };
}

export function registerStaffRoutes(app: FastifyInstance, deps: StaffRoutesDeps): void {
  const { identity } = deps;
  const by = (staff: Actor): AuditActor => ({ kind: 'staff', id: staff.staffId, surface: 'hub' });

  /** A scope refusal: audited (who tried what on whom), then 403. */
  async function refuse(staff: Actor, action: string, target: string | null, why: string): Promise<never> {
    await deps.identityStore.appendAudit({ at: new Date().toISOString(), actorKind: 'staff', actorId: staff.staffId, surface: 'hub', action, target, outcome: 'refused:AUTH_FORBIDDEN', before: null, after: null, detail: { why } });
    throw new CodedError('AUTH_FORBIDDEN', why);
  }

  async function checkStores(ids: readonly string[]): Promise<void> {
    if (ids.includes('*') && ids.length > 1) throw new CodedError('BAD_REQUEST', "'*' (all stores) stands alone");
    if (!deps.storeExists) return;
    for (const id of ids) if (id !== '*' && !(await deps.storeExists(id))) throw new CodedError('BAD_REQUEST', `no store ${id}`);
  }

  /** The account `request` names, which the caller may manage (and is not themselves). */
  async function managed(request: FastifyRequest<{ Params: { staffId: string } }>, action: string): Promise<{ staff: Actor; target: StaffAccount }> {
    const { staff } = await requireStaff(identity, request, STAFF_MANAGERS);
    const target = (await deps.identityStore.listStaff()).find((a) => a.staffId === request.params.staffId);
    if (!target) throw new CodedError('NOT_FOUND', `no staff member ${request.params.staffId}`);
    if (target.staffId === staff.staffId) return refuse(staff, action, target.staffId, 'your own account changes on the My account page, not here');
    if (!mayManage(staff, target)) return refuse(staff, action, target.staffId, `role ${staff.role} may not manage this ${target.role}'s account`);
    return { staff, target };
  }

  app.get('/api/staff', async (request) => {
    const { staff } = await requireStaff(identity, request, STAFF_READERS);
    const all = await deps.identityStore.listStaff();
    return { staff: all.filter((a) => maySee(staff, a)).map(accountView) };
  });

  app.post('/api/staff', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, STAFF_MANAGERS);
    const body = parseRequest(createBody, request.body);
    if (!mayManage(staff, body)) return refuse(staff, 'staff.create', null, `role ${staff.role} may not create a ${body.role} in stores ${body.storeIds.join(', ')}`);
    await checkStores(body.storeIds);
    if ((body.cardUid === undefined) !== (body.pin === undefined)) throw new CodedError('BAD_REQUEST', 'a staff card and a PIN go together');
    if (body.login === undefined && body.cardUid === undefined) throw new CodedError('BAD_REQUEST', 'a staff member signs in somehow: give a login and password, or a card and PIN');
    const account = await identity.addStaff({ ...body, cardUid: body.cardUid?.toUpperCase() }, by(staff));
    return reply.code(201).send(accountView(account));
  });

  app.patch<{ Params: { staffId: string } }>('/api/staff/:staffId', async (request) => {
    const { staff, target } = await managed(request, 'staff.change');
    const body = parseRequest(changeBody, request.body);
    const after = { role: body.role ?? target.role, storeIds: body.storeIds ?? target.storeIds };
    if (!mayManage(staff, after)) return refuse(staff, 'staff.change', target.staffId, `role ${staff.role} may not make this account a ${after.role} in stores ${after.storeIds.join(', ')}`);
    if (body.storeIds) await checkStores(body.storeIds);
    return accountView(await identity.changeStaff(target.staffId, body, by(staff)));
  });

  app.post<{ Params: { staffId: string } }>('/api/staff/:staffId/active', async (request) => {
    const { staff, target } = await managed(request, 'staff.set_active');
    const { active } = parseRequest(activeBody, request.body);
    return accountView(await identity.setActive(target.staffId, active, by(staff)));
  });

  app.post<{ Params: { staffId: string } }>('/api/staff/:staffId/pin', async (request) => {
    const { staff, target } = await managed(request, 'staff.set_pin');
    const { pin } = parseRequest(pinBody, request.body);
    return accountView(await identity.setSecret(target.staffId, { pin }, by(staff)));
  });

  app.post<{ Params: { staffId: string } }>('/api/staff/:staffId/password', async (request) => {
    const { staff, target } = await managed(request, 'staff.set_password');
    const { password } = parseRequest(passwordBody, request.body);
    // A password needs a login to be used with: an account made with a card only cannot be given one here.
    if (target.login === null) throw new CodedError('BAD_REQUEST', 'this account has no login name: it signs in with its staff card');
    return accountView(await identity.setSecret(target.staffId, { password }, by(staff)));
  });

  app.post('/api/me/password', async (request) => {
    const signedIn = await requireStaff(identity, request, ALL_ROLES);
    const body = parseRequest(ownPasswordBody, request.body);
    await identity.changeOwnPassword(signedIn, body.currentPassword, body.newPassword, 'hub');
    return { ok: true };
  });

  app.get('/api/me/sessions', async (request) => {
    const { staff, session } = await requireStaff(identity, request, ALL_ROLES);
    return { sessions: (await identity.openSessionsOf(staff.staffId)).map((s) => sessionView(s, session.sessionId)) };
  });

  app.post<{ Params: { ref: string } }>('/api/me/sessions/:ref/end', async (request) => {
    const { staff } = await requireStaff(identity, request, ALL_ROLES);
    const found = (await identity.openSessionsOf(staff.staffId)).find((s) => sessionRef(s.sessionId) === request.params.ref);
    if (!found) throw new CodedError('NOT_FOUND', 'no such open session of yours');
    await identity.endOwnSession(staff.staffId, found.sessionId, by(staff));
    return { ok: true };
  });
}
