import type { Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { memberInScope, type MemberStores } from '../../core/identity/member-scope.ts';
import type { MemberView } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { IdentityService, SignedIn } from '../identity/identity-service.ts';
import { buildApp, type HubAppDeps } from './build-app.ts';

/**
 * A fake identity service (these tests are about answers, not sign-in; the real one is tested over SQLite in
 * hub/identity, hub/ingest and member-scope-routes.test.ts): each token below is one staff member, anything
 * else nobody.
 */
const STAFF_BY_TOKEN: Record<string, SignedIn['staff']> = {
  'admin-token-0000000000': { staffId: 'staff-admin', name: 'admin', role: 'hq_admin', storeIds: ['*'] },
  'cashier-token-00000000': { staffId: 'staff-cashier', name: 'cashier', role: 'cashier', storeIds: ['*'] },
  'manager-a-token-000000': { staffId: 'staff-manager-a', name: 'manager of A', role: 'store_manager', storeIds: ['store-A'] },
  'region-ab-token-000000': { staffId: 'staff-region-ab', name: 'region manager of A and B', role: 'region_manager', storeIds: ['store-A', 'store-B'] },
};
function fakeIdentity(): IdentityService {
  const signedIn = (staff: SignedIn['staff']): SignedIn => ({
    staff,
    session: { sessionId: `session-${staff.staffId}`, staffId: staff.staffId, deviceId: 'hq', kind: 'login', label: null, openedAt: '', expiresAt: '2100-01-01T00:00:00.000Z', endedAt: null },
  });
  return {
    authenticate: async (token) => {
      const staff = STAFF_BY_TOKEN[token];
      return staff ? signedIn(staff) : null;
    },
  } as Partial<IdentityService> as IdentityService;
}
const ADMIN = { authorization: 'Bearer admin-token-0000000000' };
const CASHIER = { authorization: 'Bearer cashier-token-00000000' };
const MANAGER_A = { authorization: 'Bearer manager-a-token-000000' };
const REGION_AB = { authorization: 'Bearer region-ab-token-000000' };

/**
 * The members the fake store knows: M-1 registered at store A; M-B at store B, never at A; M-BA at store B,
 * who also bought at A; M-OLD from before home stores, who never shopped anywhere.
 */
const MEMBER_STORES: Record<string, MemberStores> = {
  'M-1': { homeStoreId: 'store-A', shoppedAtStoreIds: [] },
  'M-B': { homeStoreId: 'store-B', shoppedAtStoreIds: ['store-B'] },
  'M-BA': { homeStoreId: 'store-B', shoppedAtStoreIds: ['store-A', 'store-B'] },
  'M-OLD': { homeStoreId: null, shoppedAtStoreIds: [] },
};

/** The hub's API over a store that knows the members above and answers manual bonuses with `result`. */
function appWith(result: Partial<TxResult>, overrides: Partial<HubAppDeps['store']> = {}) {
  const viewOf = (memberId: string) =>
    ({
      memberId, name: `name of ${memberId}`, phoneMasked: '*******0000', tier: 'standard', card: { uid: `CARD${memberId}`, status: 'active' },
      balances: { storedValueCents: 0, bonusValueCents: 0, points: 0 }, history: [],
    }) as unknown as MemberView;
  const store: HubAppDeps['store'] = {
    transactionCount: async () => 0,
    audit: async () => [],
    memberViewById: async (id) => (id in MEMBER_STORES ? viewOf(id) : null),
    applyHq: async () => ({ id: 'TX1', seq: 1, ...result }) as TxResult,
    memberStores: async (id) => MEMBER_STORES[id] ?? null,
    memberIdsInScope: async (scope, limit) =>
      Object.entries(MEMBER_STORES)
        .filter(([, stores]) => memberInScope(scope, stores))
        .map(([id]) => id)
        .slice(0, limit),
    ...overrides,
  };
  const logger = { error: vi.fn() };
  const identityStore = { auditEntries: async () => [], listStaff: async () => [], setDeviceMode: async () => undefined, setDeviceStore: async () => undefined, appendAudit: async () => undefined };
  return { app: buildApp({ store, identity: fakeIdentity(), identityStore, brokerUrl: 'mqtt://127.0.0.1:1883', logger: logger as unknown as Logger }), logger };
}

const bonus = { points: 300, reason: 'complaint' };

describe('hub HTTP API errors', () => {
  it("answers every refusal as {error: {code, message}} with the registry's status", async () => {
    const { app } = appWith({ status: 'applied' });
    const cases = [
      { res: await app.inject({ method: 'GET', url: '/api/members/NOBODY', headers: ADMIN }), status: 404, code: 'MEMBER_UNKNOWN' },
      { res: await app.inject({ method: 'POST', url: '/api/members/NOBODY/manual-bonus', headers: ADMIN, payload: bonus }), status: 404, code: 'MEMBER_UNKNOWN' },
      { res: await app.inject({ method: 'POST', url: '/api/members/M-1/manual-bonus', headers: ADMIN, payload: { points: 'many' } }), status: 400, code: 'TX_INVALID' },
      { res: await app.inject({ method: 'POST', url: '/api/members/M-1/manual-bonus', headers: { ...ADMIN, 'content-type': 'application/json' }, payload: '{not json' }), status: 400, code: 'BAD_REQUEST' },
      { res: await app.inject({ method: 'GET', url: '/api/nothing-here' }), status: 404, code: 'NOT_FOUND' },
    ];
    for (const { res, status, code } of cases) {
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status, code });
      expect(typeof res.json().error.message).toBe('string');
    }
  });

  it("answers a refused manual bonus with its result and its code's status", async () => {
    for (const [code, status] of [['MANUAL_BONUS_REFUSED', 400], ['STAFF_UNAUTHORIZED', 403], ['CARD_BAD_STATE', 409], ['INTERNAL', 500]] as const) {
      const res = await appWith({ status: 'rejected', code, recorded: true }).app.inject({ method: 'POST', url: '/api/members/M-1/manual-bonus', headers: ADMIN, payload: bonus });
      expect({ status: res.statusCode, body: res.json() }).toMatchObject({ status, body: { status: 'rejected', code } });
    }
    const applied = await appWith({ status: 'applied' }).app.inject({ method: 'POST', url: '/api/members/M-1/manual-bonus', headers: ADMIN, payload: bonus });
    expect(applied.statusCode).toBe(200);
  });

  it('answers a failing store INTERNAL (500) without its message, and logs it', async () => {
    const { app, logger } = appWith({ status: 'applied' }, { memberViewById: () => Promise.reject(new Error('disk I/O error at /var/lib/ledger')) });
    const res = await app.inject({ method: 'GET', url: '/api/members/M-1', headers: ADMIN });
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } });
    expect(logger.error).toHaveBeenCalledTimes(1);
  });

  it('answers 401 to anyone not signed in and 403 to a role that may not, before reading or changing anything', async () => {
    const applyHq = vi.fn();
    const memberViewById = vi.fn(async () => null);
    const memberStores = vi.fn(async () => null);
    const memberIdsInScope = vi.fn(async () => []);
    const { app } = appWith({ status: 'applied' }, { applyHq, memberViewById, memberStores, memberIdsInScope });
    for (const [url, method] of [['/api/members', 'GET'], ['/api/members/M-1', 'GET'], ['/api/audit', 'GET'], ['/api/audit-log', 'GET'], ['/api/members/M-1/manual-bonus', 'POST']] as const) {
      const anonymous = await app.inject({ method, url, ...(method === 'POST' ? { payload: bonus } : {}) });
      expect({ url, status: anonymous.statusCode, code: anonymous.json().error?.code }).toEqual({ url, status: 401, code: 'AUTH_REQUIRED' });
      const forged = await app.inject({ method, url, headers: { authorization: 'Bearer someone-elses-token-guess' }, ...(method === 'POST' ? { payload: bonus } : {}) });
      expect(forged.statusCode).toBe(401);
    }
    for (const url of ['/api/members', '/api/members/M-1', '/api/audit', '/api/audit-log']) {
      const cashier = await app.inject({ method: 'GET', url, headers: CASHIER });
      expect({ url, status: cashier.statusCode, code: cashier.json().error?.code }).toEqual({ url, status: 403, code: 'AUTH_FORBIDDEN' });
    }
    expect(applyHq).not.toHaveBeenCalled();
    expect(memberViewById).not.toHaveBeenCalled();
    expect(memberStores).not.toHaveBeenCalled();
    expect(memberIdsInScope).not.toHaveBeenCalled();
    // the console shows the sign-in page, not members
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.body).toContain('/api/login');
    expect(page.body).not.toContain('M-1');
  });
});

describe('hub HTTP API: members in the caller\'s scope', () => {
  const listed = async (app: ReturnType<typeof appWith>['app'], headers: Record<string, string>) => {
    const res = await app.inject({ method: 'GET', url: '/api/members', headers });
    expect(res.statusCode).toBe(200);
    return res.json<{ members: MemberView[] }>().members.map((m) => m.memberId);
  };

  it('lists for a store manager the members registered in their store or who shop there, and no others', async () => {
    const { app } = appWith({ status: 'applied' });
    expect(await listed(app, MANAGER_A)).toEqual(['M-1', 'M-BA']);
    expect(await listed(app, REGION_AB)).toEqual(['M-1', 'M-B', 'M-BA']);
    expect(await listed(app, ADMIN)).toEqual(['M-1', 'M-B', 'M-BA', 'M-OLD']);
  });

  it('answers a member outside the scope exactly as one that does not exist (404 MEMBER_UNKNOWN), and shows one inside', async () => {
    const { app } = appWith({ status: 'applied' });
    const nobody = await app.inject({ method: 'GET', url: '/api/members/NOBODY', headers: MANAGER_A });
    for (const outside of ['M-B', 'M-OLD']) {
      const res = await app.inject({ method: 'GET', url: `/api/members/${outside}`, headers: MANAGER_A });
      expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 404, body: nobody.json() });
      expect(nobody.statusCode).toBe(404);
      expect(nobody.json().error.code).toBe('MEMBER_UNKNOWN');
    }
    for (const inside of ['M-1', 'M-BA']) {
      const res = await app.inject({ method: 'GET', url: `/api/members/${inside}`, headers: MANAGER_A });
      expect({ status: res.statusCode, memberId: res.json().memberId }).toEqual({ status: 200, memberId: inside });
    }
    const region = await app.inject({ method: 'GET', url: '/api/members/M-B', headers: REGION_AB });
    expect(region.statusCode).toBe(200);
    const admin = await app.inject({ method: 'GET', url: '/api/members/M-OLD', headers: ADMIN });
    expect(admin.statusCode).toBe(200);
  });

  it('submits no manual bonus for a member outside the scope (whatever the body), and submits one inside it', async () => {
    const applyHq = vi.fn<HubAppDeps['store']['applyHq']>(async () => ({ id: 'TX1', seq: 1, status: 'applied' }));
    const { app } = appWith({ status: 'applied' }, { applyHq });
    for (const payload of [bonus, { points: 'many' }]) {
      const res = await app.inject({ method: 'POST', url: '/api/members/M-B/manual-bonus', headers: MANAGER_A, payload });
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 404, code: 'MEMBER_UNKNOWN' });
    }
    expect(applyHq).not.toHaveBeenCalled();
    const inside = await app.inject({ method: 'POST', url: '/api/members/M-BA/manual-bonus', headers: MANAGER_A, payload: bonus });
    expect(inside.statusCode).toBe(200);
    expect(applyHq).toHaveBeenCalledTimes(1);
    expect(applyHq.mock.calls[0]?.[0]).toMatchObject({ kind: 'manual_bonus', cardUid: 'CARDM-BA', actor: { staffId: 'staff-manager-a', sessionId: 'session-staff-manager-a' } });
  });

  it("checks every listed member by core's rule: a back end listing too many shows nobody extra", async () => {
    const tooWide = vi.fn(async () => Object.keys(MEMBER_STORES));
    const { app } = appWith({ status: 'applied' }, { memberIdsInScope: tooWide });
    expect(await listed(app, MANAGER_A)).toEqual(['M-1', 'M-BA']);
    expect(tooWide).toHaveBeenCalledWith({ kind: 'stores', storeIds: ['store-A'] }, 200);
  });

  it('shows on the console only the members in the scope', async () => {
    const { app } = appWith({ status: 'applied' });
    const page = await app.inject({ method: 'GET', url: '/', headers: MANAGER_A });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name of M-1');
    expect(page.body).toContain('name of M-BA');
    expect(page.body).not.toContain('name of M-B<');
    expect(page.body).not.toContain('name of M-OLD');
    const adminPage = await app.inject({ method: 'GET', url: '/', headers: ADMIN });
    expect(adminPage.body).toContain('name of M-OLD');
  });
});
