/**
 * Staff accounts and one's own account over the hub's HTTPS API (real hub, real TLS, real SQLite identity): every
 * role × route pair that must be refused is, with nothing changed; HQ and a store manager do what they may, audited;
 * a staff member changes their own password and signs out another session of theirs.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffRole } from '../../core/ledger/types.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { mayManage } from './staff-routes.ts';

const STORE_A = DEMO_STORE_ID;
const STORE_B = 'store-b';
const PASSWORD = 'a-long-password-1';

interface Account {
  staffId: string;
  name: string;
  role: StaffRole;
  storeIds: string[];
  active: boolean;
  login: string | null;
  hasPin: boolean;
}

describe('staff and own-account routes (real hub over HTTPS)', () => {
  let env: TestHub;
  let identity: IdentityService;
  const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) => hubHttps(env, method, path, options);
  const tokens: Partial<Record<string, string>> = {};
  const ids: Partial<Record<string, string>> = {};
  let admin: string;

  /** A staff account with a login, signed in: its token (and id, under the same key). */
  async function account(key: string, role: StaffRole, storeIds: string[]): Promise<string> {
    const made = await identity.addStaff({ name: key, role, storeIds, login: key, password: PASSWORD }, { kind: 'system', id: 'test', surface: 'cli' });
    ids[key] = made.staffId;
    tokens[key] = (await identity.login(key, PASSWORD, 'hub')).token;
    return tokens[key];
  }
  const staffList = async (token: string) => (await call('GET', '/api/staff', { token })).body.staff as Account[];
  const byId = async (staffId: string) => (await env.hub.store.identity.listStaff()).find((a) => a.staffId === staffId)!;

  beforeAll(async () => {
    env = await startTestHub();
    identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
    admin = (await call('POST', '/api/login', { body: { login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD } })).body.token as string;
    await call('POST', '/api/stores', { token: admin, body: { id: STORE_B, name: 'Store B', regionId: 'demo-region' } });
    await account('cashier-a', 'cashier', [STORE_A]);
    await account('cashier-b', 'cashier', [STORE_B]);
    await account('tech-a', 'technician', [STORE_A]);
    await account('manager-a', 'store_manager', [STORE_A]);
    await account('manager-b', 'store_manager', [STORE_B]);
    await account('region', 'region_manager', [STORE_A, STORE_B]);
  }, 60_000);
  afterAll(async () => {
    await env.dispose();
  });

  it('says who may manage whom (pure)', () => {
    expect(mayManage({ role: 'hq_admin', storeIds: ['*'] }, { role: 'hq_admin', storeIds: ['*'] })).toBe(true);
    expect(mayManage({ role: 'store_manager', storeIds: ['s1'] }, { role: 'cashier', storeIds: ['s1'] })).toBe(true);
    expect(mayManage({ role: 'store_manager', storeIds: ['s1'] }, { role: 'cashier', storeIds: ['s1', 's2'] })).toBe(false);
    expect(mayManage({ role: 'store_manager', storeIds: ['s1'] }, { role: 'cashier', storeIds: ['*'] })).toBe(false);
    expect(mayManage({ role: 'store_manager', storeIds: ['s1'] }, { role: 'store_manager', storeIds: ['s1'] })).toBe(false);
    expect(mayManage({ role: 'store_manager', storeIds: ['s1'] }, { role: 'technician', storeIds: ['s1'] })).toBe(false);
    for (const role of ['region_manager', 'cashier', 'technician'] as const) expect(mayManage({ role, storeIds: ['*'] }, { role: 'cashier', storeIds: ['s1'] })).toBe(false);
  });

  it('refuses anyone not signed in (401), changing nothing', async () => {
    const target = ids['cashier-a']!;
    expect((await call('GET', '/api/staff')).status).toBe(401);
    expect((await call('POST', '/api/staff', { body: { name: 'x', role: 'cashier', storeIds: [STORE_A], login: 'x', password: PASSWORD } })).status).toBe(401);
    expect((await call('PATCH', `/api/staff/${target}`, { body: { name: 'x' } })).status).toBe(401);
    expect((await call('POST', `/api/staff/${target}/active`, { body: { active: false } })).status).toBe(401);
    expect((await call('POST', `/api/staff/${target}/pin`, { body: { pin: '1234' } })).status).toBe(401);
    expect((await call('POST', `/api/staff/${target}/password`, { body: { password: 'another-password-9' } })).status).toBe(401);
    expect((await call('POST', '/api/me/password', { body: { currentPassword: PASSWORD, newPassword: 'another-password-9' } })).status).toBe(401);
    expect((await call('GET', '/api/me/sessions', { token: 'guessed-token-guessed-token' })).status).toBe(401);
    expect((await call('POST', '/api/me/sessions/abc/end')).status).toBe(401);
    expect(await byId(target)).toMatchObject({ name: 'cashier-a', active: true, hasPin: false });
  });

  it('refuses cashiers, technicians and region managers every staff change (403), and the first two the list', async () => {
    const target = ids['cashier-a']!;
    for (const who of ['cashier-a', 'tech-a', 'region']) {
      const token = tokens[who]!;
      if (who !== 'region') expect((await call('GET', '/api/staff', { token })).status, who).toBe(403);
      expect((await call('POST', '/api/staff', { token, body: { name: 'new', role: 'cashier', storeIds: [STORE_A], login: `new-by-${who}`, password: PASSWORD } })).status, who).toBe(403);
      expect((await call('PATCH', `/api/staff/${target}`, { token, body: { name: 'renamed' } })).status, who).toBe(403);
      expect((await call('POST', `/api/staff/${target}/active`, { token, body: { active: false } })).status, who).toBe(403);
      expect((await call('POST', `/api/staff/${target}/pin`, { token, body: { pin: '1234' } })).status, who).toBe(403);
      expect((await call('POST', `/api/staff/${target}/password`, { token, body: { password: 'another-password-9' } })).status, who).toBe(403);
    }
    expect((await staffList(tokens.region!)).length).toBe((await env.hub.store.identity.listStaff()).length);
    expect(await byId(target)).toMatchObject({ name: 'cashier-a', active: true, hasPin: false });
    expect((await env.hub.store.identity.listStaff()).some((a) => a.login?.startsWith('new-by-'))).toBe(false);
  });

  it("refuses a store manager another store's staff, any role above cashier and stores beyond their own (403, audited)", async () => {
    const token = tokens['manager-a']!;
    const other = ids['cashier-b']!;
    const create = (body: Record<string, unknown>) => call('POST', '/api/staff', { token, body: { name: 'n', login: `m-${Math.random()}`, password: PASSWORD, ...body } });
    expect((await create({ role: 'hq_admin', storeIds: ['*'] })).status).toBe(403);
    expect((await create({ role: 'store_manager', storeIds: [STORE_A] })).status).toBe(403);
    expect((await create({ role: 'technician', storeIds: [STORE_A] })).status).toBe(403);
    expect((await create({ role: 'cashier', storeIds: [STORE_B] })).status).toBe(403);
    expect((await create({ role: 'cashier', storeIds: [STORE_A, STORE_B] })).status).toBe(403);
    expect((await create({ role: 'cashier', storeIds: ['*'] })).status).toBe(403);
    // Another store's cashier, a colleague manager, a technician of their own store: not theirs.
    for (const target of [other, ids['manager-b']!, ids['tech-a']!, ids.region!]) {
      expect((await call('PATCH', `/api/staff/${target}`, { token, body: { name: 'renamed' } })).status).toBe(403);
      expect((await call('POST', `/api/staff/${target}/active`, { token, body: { active: false } })).status).toBe(403);
      expect((await call('POST', `/api/staff/${target}/pin`, { token, body: { pin: '1234' } })).status).toBe(403);
      expect((await call('POST', `/api/staff/${target}/password`, { token, body: { password: 'another-password-9' } })).status).toBe(403);
    }
    // Their own cashier made a manager, or moved to another store: refused too.
    const own = ids['cashier-a']!;
    expect((await call('PATCH', `/api/staff/${own}`, { token, body: { role: 'store_manager' } })).status).toBe(403);
    expect((await call('PATCH', `/api/staff/${own}`, { token, body: { storeIds: [STORE_B] } })).status).toBe(403);
    // Their own account: not through these routes.
    expect((await call('POST', `/api/staff/${ids['manager-a']!}/password`, { token, body: { password: 'another-password-9' } })).status).toBe(403);
    expect(await byId(other)).toMatchObject({ name: 'cashier-b', active: true });
    expect(await byId(own)).toMatchObject({ role: 'cashier', storeIds: [STORE_A] });
    const refusals = await env.hub.store.identity.auditEntries({ limit: 100, actorId: ids['manager-a']! });
    expect(refusals.filter((e) => e.outcome === 'refused:AUTH_FORBIDDEN').length).toBeGreaterThanOrEqual(20);
    // The list: their store's staff only.
    const seen = (await staffList(token)).map((a) => a.name);
    expect(seen).toEqual(expect.arrayContaining(['cashier-a', 'tech-a', 'manager-a']));
    expect(seen).not.toContain('cashier-b');
    expect(seen).not.toContain('manager-b');
  });

  it('lets a store manager create and manage a cashier of their store, audited', async () => {
    const token = tokens['manager-a']!;
    const made = await call('POST', '/api/staff', { token, body: { name: '新收银员', role: 'cashier', storeIds: [STORE_A], cardUid: 'c0ffee01', pin: '4321' } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ role: 'cashier', hasCard: true, hasPin: true, login: null });
    expect(JSON.stringify(made.body)).not.toMatch(/Hash|4321/);
    const id = made.body.staffId as string;
    expect((await call('POST', `/api/staff/${id}/pin`, { token, body: { pin: '8765' } })).status).toBe(200);
    expect((await call('POST', `/api/staff/${id}/pin`, { token, body: { pin: '12' } })).status).toBe(400);
    // A card-only account has no login to give a password to.
    expect((await call('POST', `/api/staff/${id}/password`, { token, body: { password: 'another-password-9' } })).status).toBe(400);
    expect((await call('PATCH', `/api/staff/${id}`, { token, body: { name: '收银员 王' } })).body).toMatchObject({ name: '收银员 王' });
    expect((await call('POST', `/api/staff/${id}/active`, { token, body: { active: false } })).body).toMatchObject({ active: false });
    expect((await call('POST', `/api/staff/${id}/active`, { token, body: { active: true } })).body).toMatchObject({ active: true });
    const actions = (await env.hub.store.identity.auditEntries({ limit: 20, target: id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['staff.create', 'staff.set_pin', 'staff.change', 'staff.deactivate', 'staff.activate']));
  });

  it('lets HQ create any account, edit role and stores, reset a password (ending their sessions) and deactivate', async () => {
    const made = await call('POST', '/api/staff', { token: admin, body: { name: 'Region East', role: 'region_manager', storeIds: [STORE_A, STORE_B], login: 'east', password: PASSWORD } });
    expect(made.status).toBe(201);
    const id = made.body.staffId as string;
    expect((await call('POST', '/api/staff', { token: admin, body: { name: 'dup', role: 'cashier', storeIds: [STORE_A], login: 'east', password: PASSWORD } })).status).toBe(400);
    expect((await call('POST', '/api/staff', { token: admin, body: { name: 'nowhere', role: 'cashier', storeIds: ['no-such-store'], login: 'nowhere', password: PASSWORD } })).status).toBe(400);
    expect((await call('POST', '/api/staff', { token: admin, body: { name: 'no way in', role: 'cashier', storeIds: [STORE_A] } })).status).toBe(400);
    expect((await call('PATCH', `/api/staff/${id}`, { token: admin, body: { role: 'hq_admin', storeIds: ['*'] } })).body).toMatchObject({ role: 'hq_admin', storeIds: ['*'] });
    const theirs = (await call('POST', '/api/login', { body: { login: 'east', password: PASSWORD } })).body.token as string;
    expect((await call('GET', '/api/me', { token: theirs })).status).toBe(200);
    expect((await call('POST', `/api/staff/${id}/password`, { token: admin, body: { password: 'short' } })).status).toBe(400);
    expect((await call('POST', `/api/staff/${id}/password`, { token: admin, body: { password: 'reset-by-hq-password' } })).status).toBe(200);
    expect((await call('GET', '/api/me', { token: theirs })).status).toBe(401);
    expect((await call('POST', '/api/login', { body: { login: 'east', password: 'reset-by-hq-password' } })).status).toBe(200);
    expect((await call('POST', `/api/staff/${id}/active`, { token: admin, body: { active: false } })).body).toMatchObject({ active: false });
    expect((await call('POST', '/api/login', { body: { login: 'east', password: 'reset-by-hq-password' } })).status).toBe(401);
    // HQ's own account: not through these routes either.
    const me = (await call('GET', '/api/me', { token: admin })).body.staff as { staffId: string };
    expect((await call('POST', `/api/staff/${me.staffId}/active`, { token: admin, body: { active: false } })).status).toBe(403);
    expect((await call('PATCH', `/api/staff/nobody`, { token: admin, body: { name: 'x' } })).status).toBe(404);
  });

  it('lets any staff member change their own password (current one required) and sign out another session of theirs', async () => {
    const first = tokens['tech-a']!;
    const second = (await identity.login('tech-a', PASSWORD, 'hub')).token;
    const sessions = (await call('GET', '/api/me/sessions', { token: first })).body.sessions as { ref: string; current: boolean; kind: string }[];
    expect(sessions.length).toBe(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(JSON.stringify(sessions)).not.toContain('sessionId');
    // Another staff member's session reference ends nothing.
    const otherRef = ((await call('GET', '/api/me/sessions', { token: tokens['cashier-b']! })).body.sessions as { ref: string }[])[0]!.ref;
    expect((await call('POST', `/api/me/sessions/${otherRef}/end`, { token: first })).status).toBe(404);
    expect((await call('GET', '/api/me', { token: tokens['cashier-b']! })).status).toBe(200);
    const other = sessions.find((s) => !s.current)!;
    expect((await call('POST', `/api/me/sessions/${other.ref}/end`, { token: first })).status).toBe(200);
    expect((await call('GET', '/api/me', { token: second })).status).toBe(401);
    expect((await call('GET', '/api/me', { token: first })).status).toBe(200);

    const third = (await identity.login('tech-a', PASSWORD, 'hub')).token;
    const wrong = await call('POST', '/api/me/password', { token: first, body: { currentPassword: 'not-my-password', newPassword: 'my-new-password-1' } });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'PASSWORD_WRONG' } } });
    expect((await call('POST', '/api/me/password', { token: first, body: { currentPassword: PASSWORD, newPassword: 'short' } })).status).toBe(400);
    expect((await call('POST', '/api/me/password', { token: first, body: { currentPassword: PASSWORD, newPassword: 'my-new-password-1' } })).status).toBe(200);
    expect((await call('GET', '/api/me', { token: first })).status).toBe(200);
    expect((await call('GET', '/api/me', { token: third })).status).toBe(401);
    expect((await call('POST', '/api/login', { body: { login: 'tech-a', password: PASSWORD } })).status).toBe(401);
    expect((await call('POST', '/api/login', { body: { login: 'tech-a', password: 'my-new-password-1' } })).status).toBe(200);
    const actions = (await env.hub.store.identity.auditEntries({ limit: 20, actorId: ids['tech-a']! })).map((e) => `${e.action} ${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['staff.end_session ok', 'staff.change_password refused:PASSWORD_WRONG', 'staff.change_password ok']));
  });
});
