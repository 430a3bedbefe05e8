/**
 * The console's member search and member record over each real ledger back end (SQLite in memory, PostgreSQL on a
 * throwaway cluster: hub/testing/start-postgres.ts) and real logins: each role finds
 * only the members of its scope (a scoped search is filled with in-scope members, not cut from the chain's first
 * matches), phone numbers are masked unless the role may see them, and a record outside the scope is answered
 * exactly as a member who does not exist.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { buildApp } from './build-app.ts';

const STORE_B = 'store-002';

const silent = pino({ level: 'silent' });
const backends = [
  { name: 'SQLite', open: () => openLedger({ kind: 'sqlite', path: ':memory:', logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE }) },
  { name: 'PostgreSQL', open: async () => openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase('console'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 }) },
];

describe.each(backends)('console member search and record ($name)', ({ open }) => {
  let ledger: Ledger;
  let identity: IdentityService;
  let app: ReturnType<typeof buildApp>;

  async function signedIn(role: StaffRole, storeIds: string[]): Promise<{ authorization: string }> {
    const login = `${role}-${storeIds.join('-').replace('*', 'all')}`;
    await identity.addStaff({ name: login, role, storeIds, login, password: 'a-long-password-1' }, { kind: 'system', id: 'test', surface: 'cli' });
    return { authorization: `Bearer ${(await identity.login(login, 'a-long-password-1', 'hub')).token}` };
  }
  const search = async (headers: { authorization: string } | undefined, q: string, field = 'any') => {
    const res = await app.inject({ method: 'GET', url: `/api/member-search?q=${encodeURIComponent(q)}&field=${field}`, ...(headers ? { headers } : {}) });
    return { status: res.statusCode, body: res.json() };
  };
  const ids = async (headers: { authorization: string }, q: string, field = 'any') => {
    const { status, body } = await search(headers, q, field);
    expect(status).toBe(200);
    return (body.members as { memberId: string }[]).map((m) => m.memberId);
  };

  beforeEach(async () => {
    ledger = await open();
    await seedDemoData(ledger);
    // Store B's members: more "Li" than the page holds, all sorted ahead of the demo store's Li Wei.
    for (let i = 0; i < 60; i += 1) {
      const n = String(i).padStart(3, '0');
      await ledger.createMember({ memberId: `B${n}`, name: `Li B${n}`, phone: `13700000${n}`, tier: 'standard', creditLimitCents: 0, homeStoreId: STORE_B, cards: [{ uid: `B2000000${n}0` }] });
    }
    await ledger.createMember({ memberId: 'B-XU', name: '徐兰', phone: '13911112222', tier: 'gold', creditLimitCents: 0, homeStoreId: STORE_B, cards: [{ uid: 'BB0000000001' }] });
    identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    app = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883', memberConsole: ledger.memberConsole });
  });

  afterEach(async () => {
    await app.close();
    await ledger.close();
  });
  afterAll(stopPostgres);

  it('finds a member by name, Chinese name substring, phone, phone suffix, card prefix and member id (HQ)', async () => {
    const hq = await signedIn('hq_admin', ['*']);
    expect(await ids(hq, 'zhang min')).toEqual(['M0003']);
    expect(await ids(hq, '兰')).toEqual(['B-XU']);
    expect(await ids(hq, '13800138003')).toEqual(['M0003']);
    expect(await ids(hq, '8003', 'phone')).toEqual(['M0003']);
    expect(await ids(hq, DEMO_CARDS.gold.slice(0, 8).toLowerCase(), 'card')).toEqual(['M0003']);
    expect(await ids(hq, 'm0003')).toEqual(['M0003']);
    expect(await ids(hq, 'M0003', 'name')).toEqual([]);
    const { body } = await search(hq, 'Zhang');
    expect(body.members[0]).toMatchObject({ memberId: 'M0003', name: 'Zhang Min', phone: '13800138003', tier: 'gold', cardUid: DEMO_CARDS.gold, homeStoreId: DEMO_STORE_ID, matchedBy: 'name' });
  });

  it("fills a store manager's page with their own store's members and masks phones", async () => {
    const managerOfA = await signedIn('store_manager', [DEMO_STORE_ID]);
    // 61 chain-wide matches for "Li", 60 of them in store B and ahead in order: the manager still gets theirs.
    expect(await ids(managerOfA, 'Li')).toEqual(['M0001']);
    expect(await ids(managerOfA, '兰')).toEqual([]);
    expect(await ids(managerOfA, 'B-XU')).toEqual([]);
    expect(await ids(managerOfA, 'BB0000000001')).toEqual([]);
    const { body } = await search(managerOfA, 'Zhang');
    expect(body).toMatchObject({ phoneVisible: false, members: [{ memberId: 'M0003', phone: '*******8003' }] });
    const managerOfB = await signedIn('store_manager', [STORE_B]);
    expect(await ids(managerOfB, '兰')).toEqual(['B-XU']);
    expect(await ids(managerOfB, 'Zhang')).toEqual([]);
    expect((await ids(managerOfB, 'Li')).length).toBe(50);
  });

  it('refuses roles that may not read members, and callers not signed in, before searching', async () => {
    expect((await search(undefined, 'Li')).status).toBe(401);
    for (const role of ['cashier', 'technician'] as const) {
      const { status, body } = await search(await signedIn(role, [DEMO_STORE_ID]), 'Li');
      expect({ status, code: body.error.code }).toEqual({ status: 403, code: 'AUTH_FORBIDDEN' });
    }
    const hq = await signedIn('hq_admin', ['*']);
    expect((await search(hq, '')).status).toBe(400);
    expect((await search(hq, 'x'.repeat(65))).status).toBe(400);
  });

  it("answers a member's record with cards, balances, lots and history with the rule trace", async () => {
    const hq = await signedIn('hq_admin', ['*']);
    const res = await app.inject({ method: 'GET', url: '/api/members/M0003/record', headers: hq });
    expect(res.statusCode).toBe(200);
    const record = res.json();
    expect(record).toMatchObject({ memberId: 'M0003', name: 'Zhang Min', phone: '13800138003', phoneVisible: true, tier: 'gold', homeStoreId: DEMO_STORE_ID });
    expect(record.cards).toEqual([expect.objectContaining({ uid: DEMO_CARDS.gold, status: 'active' })]);
    const view = await ledger.memberViewById('M0003');
    expect(record.balances).toEqual(view!.balances);
    expect(record.history.length).toBeGreaterThan(0);
    for (const tx of record.history) expect(tx).toMatchObject({ txId: expect.any(String), kind: expect.any(String), status: expect.stringMatching(/^(applied|rejected)$/), trace: expect.any(Array) });
  });

  it("answers a record outside the caller's scope exactly as a member who does not exist", async () => {
    const managerOfA = await signedIn('store_manager', [DEMO_STORE_ID]);
    const hidden = await app.inject({ method: 'GET', url: '/api/members/B-XU/record', headers: managerOfA });
    const missing = await app.inject({ method: 'GET', url: '/api/members/NOBODY/record', headers: managerOfA });
    expect({ status: hidden.statusCode, body: hidden.json() }).toEqual({ status: missing.statusCode, body: missing.json() });
    expect(hidden.json().error.code).toBe('MEMBER_UNKNOWN');
    const own = await app.inject({ method: 'GET', url: '/api/members/M0003/record', headers: managerOfA });
    expect(own.json()).toMatchObject({ memberId: 'M0003', phone: '*******8003', phoneVisible: false });
    const cashier = await app.inject({ method: 'GET', url: '/api/members/M0003/record', headers: await signedIn('cashier', [DEMO_STORE_ID]) });
    expect(cashier.statusCode).toBe(403);
  });
});
