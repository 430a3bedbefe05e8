/**
 * The member routes over the real SQLite ledger and the real identity service: staff log in, kiosks enrolled in
 * two stores register members and sell, and each staff member sees (and may ask a manual bonus for) only the
 * members of their stores. Store A is the demo store, whose manager also sees the demo members.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { MemberView } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { buildApp } from './build-app.ts';
import type { StaffRole } from '../../core/ledger/types.ts';

const STORE_A = DEMO_STORE_ID;
const STORE_B = 'store-002';
const CARD_OF_A = 'A10000000001';
const CARD_OF_B = 'B10000000001';
const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

/** A counter kiosk enrolled in a store: its transactions name that store, seqs counted from 1. */
class StoreKiosk {
  private seq = 0;
  constructor(
    readonly deviceId: string,
    readonly storeId: string,
  ) {}

  async send(ledger: Ledger, body: Record<string, unknown>): Promise<TxResult> {
    this.seq += 1;
    const payload = { v: TX_FORMAT, id: nextId(), deviceId: this.deviceId, epoch: 'E1', seq: this.seq, createdAt: new Date().toISOString(), storeId: this.storeId, bundleVersion: 1, ...body };
    const [result] = await ledger.applyBatch([{ topicDeviceId: this.deviceId, parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
    return result!;
  }
}

describe('member routes in the caller\'s scope (real SQLite, real logins)', () => {
  let ledger: Ledger;
  let identity: IdentityService;
  let app: ReturnType<typeof buildApp>;
  let kioskA: StoreKiosk;
  let kioskB: StoreKiosk;
  let memberOfA: string;
  let memberOfB: string;

  /** A staff member with a hub login, signed in: the bearer header of their session. */
  async function signedIn(role: StaffRole, storeIds: string[]): Promise<{ authorization: string }> {
    const login = `${role}-${storeIds.join('-').replace('*', 'all')}`;
    await identity.addStaff({ name: login, role, storeIds, login, password: 'a-long-password-1' }, { kind: 'system', id: 'test', surface: 'cli' });
    return { authorization: `Bearer ${(await identity.login(login, 'a-long-password-1', 'hub')).token}` };
  }
  const listed = async (headers: { authorization: string }) => {
    const res = await app.inject({ method: 'GET', url: '/api/members', headers });
    expect(res.statusCode).toBe(200);
    return res.json<{ members: MemberView[] }>().members.map((m) => m.memberId);
  };
  const read = (memberId: string, headers?: { authorization: string }) => app.inject({ method: 'GET', url: `/api/members/${memberId}`, ...(headers ? { headers } : {}) });
  const bonus = (memberId: string, headers?: { authorization: string }) =>
    app.inject({ method: 'POST', url: `/api/members/${memberId}/manual-bonus`, payload: { points: 300, reason: 'complaint' }, ...(headers ? { headers } : {}) });
  const pointsOf = async (memberId: string) => (await ledger.memberViewById(memberId))!.balances.points;
  const buyAt = async (kiosk: StoreKiosk, cardUid: string) => {
    const result = await kiosk.send(ledger, { kind: 'purchase', cardUid, lines: [{ lineNo: 1, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: 1_000 }], payments: [{ method: 'cash', amountCents: 1_000 }] });
    expect(result.status).toBe('applied');
  };

  beforeEach(async () => {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
    identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    app = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883' });
    kioskA = new StoreKiosk('kiosk-a', STORE_A);
    kioskB = new StoreKiosk('kiosk-b', STORE_B);
    for (const kiosk of [kioskA, kioskB]) {
      await ledger.identity.setDeviceStore(kiosk.deviceId, kiosk.storeId);
      await ledger.identity.setDeviceMode(kiosk.deviceId, 'attended');
    }
    const registerAt = async (kiosk: StoreKiosk, cardUid: string, name: string, phone: string) => {
      const result = await kiosk.send(ledger, { kind: 'register_member', cardUid, name, phone });
      expect(result.status).toBe('applied');
      return result.outcome!.memberId;
    };
    memberOfA = await registerAt(kioskA, CARD_OF_A, 'Anna of A', '13900000001');
    memberOfB = await registerAt(kioskB, CARD_OF_B, 'Bo of B', '13900000002');
  });

  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await ledger.close();
  });

  it('records the registering store as the home store', async () => {
    expect(await ledger.memberStores(memberOfA)).toEqual({ homeStoreId: STORE_A, shoppedAtStoreIds: [STORE_A] });
    expect(await ledger.memberStores(memberOfB)).toEqual({ homeStoreId: STORE_B, shoppedAtStoreIds: [STORE_B] });
  });

  it("shows a store manager their store's member, not another store's until that member buys in theirs", async () => {
    const managerOfA = await signedIn('store_manager', [STORE_A]);
    expect(await listed(managerOfA)).toContain(memberOfA);
    expect(await listed(managerOfA)).not.toContain(memberOfB);
    expect((await read(memberOfA, managerOfA)).json()).toMatchObject({ memberId: memberOfA, name: 'Anna of A' });
    const hidden = await read(memberOfB, managerOfA);
    expect({ status: hidden.statusCode, body: hidden.json() }).toEqual({ status: 404, body: (await read('M-NOBODY', managerOfA)).json() });
    expect(hidden.json().error.code).toBe('MEMBER_UNKNOWN');
    const page = await app.inject({ method: 'GET', url: '/', headers: managerOfA });
    expect(page.body).toContain('Anna of A');
    expect(page.body).not.toContain('Bo of B');

    await buyAt(kioskA, CARD_OF_B);
    expect(await listed(managerOfA)).toContain(memberOfB);
    expect((await read(memberOfB, managerOfA)).json()).toMatchObject({ memberId: memberOfB, name: 'Bo of B' });
    expect((await app.inject({ method: 'GET', url: '/', headers: managerOfA })).body).toContain('Bo of B');
  });

  it('submits no manual bonus for a member outside the scope, and submits one inside it for the ledger to judge', async () => {
    const managerOfA = await signedIn('store_manager', [STORE_A]);
    const count = await ledger.transactionCount();
    const pointsOfB = await pointsOf(memberOfB);
    const outside = await bonus(memberOfB, managerOfA);
    expect({ status: outside.statusCode, code: outside.json().error?.code }).toEqual({ status: 404, code: 'MEMBER_UNKNOWN' });
    expect(await ledger.transactionCount()).toBe(count);
    expect(await pointsOf(memberOfB)).toBe(pointsOfB);
    // Inside the scope the request goes to the ledger, which refuses a store manager's manual bonus (role), recorded.
    const inside = await bonus(memberOfA, managerOfA);
    expect({ status: inside.statusCode, body: inside.json() }).toMatchObject({ status: 403, body: { status: 'rejected', code: 'STAFF_UNAUTHORIZED', recorded: true } });
    expect(await ledger.transactionCount()).toBe(count + 1);
    // Chain-wide staff may give one to anyone: applied.
    const admin = { authorization: `Bearer ${(await identity.login(DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, 'hub')).token}` };
    expect((await bonus(memberOfB, admin)).json()).toMatchObject({ status: 'applied' });
    expect(await pointsOf(memberOfB)).toBe(pointsOfB + 300);
  });

  it("shows a region manager both stores' members, and chain-wide staff every member, those from before home stores too", async () => {
    await ledger.createMember({ memberId: 'M-OLD', name: 'Old Member', phone: '13900000009', tier: 'standard', cards: [{ uid: '0D0000000000' }] });
    const regionAB = await signedIn('region_manager', [STORE_A, STORE_B]);
    const regionB = await signedIn('region_manager', [STORE_B]);
    const chain = await signedIn('hq_admin', ['*']);
    expect(await listed(regionAB)).toEqual(expect.arrayContaining([memberOfA, memberOfB]));
    expect(await listed(regionAB)).not.toContain('M-OLD');
    expect(await listed(regionB)).toEqual([memberOfB]);
    expect((await read(memberOfB, regionAB)).statusCode).toBe(200);
    expect((await read(memberOfA, regionB)).statusCode).toBe(404);
    expect((await read('M-OLD', regionAB)).statusCode).toBe(404);
    expect((await listed(chain)).sort()).toEqual(['M0001', 'M0002', 'M0003', 'M0004', memberOfA, memberOfB, 'M-OLD'].sort());
    expect((await read('M-OLD', chain)).statusCode).toBe(200);
  });

  it('still answers 401 to anyone not signed in and 403 to a role that may not read members, changing nothing', async () => {
    const cashierOfA = await signedIn('cashier', [STORE_A]);
    const count = await ledger.transactionCount();
    const pointsOfA = await pointsOf(memberOfA);
    for (const res of [await app.inject({ method: 'GET', url: '/api/members' }), await read(memberOfA), await bonus(memberOfA)]) {
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 401, code: 'AUTH_REQUIRED' });
    }
    for (const res of [await app.inject({ method: 'GET', url: '/api/members', headers: cashierOfA }), await read(memberOfA, cashierOfA)]) {
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 403, code: 'AUTH_FORBIDDEN' });
    }
    // A cashier's bonus for a member of another store stops at the scope, unrecorded.
    expect((await bonus(memberOfB, cashierOfA)).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/', headers: cashierOfA })).body).not.toContain('Anna of A');
    expect(await ledger.transactionCount()).toBe(count);
    expect(await pointsOf(memberOfA)).toBe(pointsOfA);
  });
});
