import type { Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { MemberView } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { IdentityService, SignedIn } from '../identity/identity-service.ts';
import { buildApp, type HubAppDeps } from './build-app.ts';

/**
 * A fake identity service (these tests are about answers, not sign-in; the real one is tested over SQLite in
 * hub/identity and hub/ingest): 'admin-token' is an HQ admin, 'cashier-token' a cashier, anything else nobody.
 */
function fakeIdentity(): IdentityService {
  const signedIn = (role: 'hq_admin' | 'cashier'): SignedIn => ({
    staff: { staffId: `staff-${role}`, name: role, role, storeIds: ['*'] },
    session: { sessionId: `session-${role}-000000`, staffId: `staff-${role}`, deviceId: 'hq', kind: 'login', label: null, openedAt: '', expiresAt: '2100-01-01T00:00:00.000Z', endedAt: null },
  });
  return {
    authenticate: async (token) => (token === 'admin-token-0000000000' ? signedIn('hq_admin') : token === 'cashier-token-00000000' ? signedIn('cashier') : null),
  } as Partial<IdentityService> as IdentityService;
}
const ADMIN = { authorization: 'Bearer admin-token-0000000000' };
const CASHIER = { authorization: 'Bearer cashier-token-00000000' };

/** The hub's API over a store that knows one member (M-1) and answers manual bonuses with `result`. */
function appWith(result: Partial<TxResult>, overrides: Partial<HubAppDeps['store']> = {}) {
  const member = { memberId: 'M-1', card: { uid: '04A1B2C3D4' } } as unknown as MemberView;
  const store: HubAppDeps['store'] = {
    transactionCount: async () => 0,
    audit: async () => [],
    memberViewById: async (id) => (id === 'M-1' ? member : null),
    applyHq: async () => ({ id: 'TX1', seq: 1, ...result }) as TxResult,
    ...overrides,
  };
  const logger = { error: vi.fn() };
  const identityStore = { auditEntries: async () => [], listStaff: async () => [], setDeviceMode: async () => undefined, setDeviceStore: async () => undefined, appendAudit: async () => undefined };
  return { app: buildApp({ store, identity: fakeIdentity(), identityStore, brokerUrl: 'mqtt://127.0.0.1:1883', memberIds: async () => ['M-1'], logger: logger as unknown as Logger }), logger };
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
    const { app } = appWith({ status: 'applied' }, { applyHq, memberViewById });
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
    // the console shows the sign-in page, not members
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.body).toContain('/api/login');
    expect(page.body).not.toContain('M-1');
  });
});
