/**
 * HQ's retention rules (PIPL) over the hub API with Fastify inject, on each real ledger back end (SQLite in memory,
 * PostgreSQL on a throwaway cluster: hub/testing/start-postgres.ts) and real logins.
 * Members and contact entries are made three years ago (Date faked while they are written, through the ledger's
 * real transactions); then: settings round-trip audited with before and after, non-HQ roles refused, the preview
 * lists exactly who the rules reach, a run erases exactly those (one with a balance, one seen today and one
 * owing credit are kept) and deletes only old contact entries, a second run changes nothing, and the journal
 * audit is clean after.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { ERASED_NAME } from '../ledger/member-profile-store.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { hqAdminLogin, staffAuthorization } from '../testing/staff-actor.ts';
import { applyRetention } from '../hq/apply-retention.ts';
import { buildApp } from './build-app.ts';

const THREE_YEARS_AGO = new Date(Date.now() - 3 * 365 * 86_400_000);
const TZ = 'Asia/Shanghai';

// Rules that offer credit (赊账), for R4's sale.
const BUNDLE = { ...DEFAULT_RULES_BUNDLE, credit: {} };
const silent = pino({ level: 'silent' });
const backends = [
  { name: 'SQLite', open: () => openLedger({ kind: 'sqlite', path: ':memory:', logger: silent, fallbackBundle: BUNDLE }) },
  { name: 'PostgreSQL', open: async () => openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase('retention'), logger: silent, fallbackBundle: BUNDLE, poolSize: 4 }) },
];

describe.each(backends)('retention settings, preview and run (real $name, real logins)', ({ open }) => {
  let ledger: Ledger;
  let identity: IdentityService;
  let app: ReturnType<typeof buildApp>;
  let admin: { authorization: string };

  /** Members R1…R5 (cards A010CA4D…), made three years ago: R1 untouched, R2 topped up, R3 seen today, R4 owing credit, R5 erased by hand. */
  async function seedOldMembers(): Promise<void> {
    vi.useFakeTimers({ toFake: ['Date'], now: THREE_YEARS_AGO });
    try {
      // Signed in then: a session is valid only for transactions dated while it is open.
      const actor = (await hqAdminLogin(ledger)).actor;
      for (const n of [1, 2, 3, 4, 5]) {
        await ledger.createMember({ memberId: `R${n}`, name: `老会员${n}`, phone: `1390000000${n}`, tier: 'standard', creditLimitCents: n === 4 ? 100_000 : 0, homeStoreId: DEMO_STORE_ID, cards: [{ uid: `A0${n}0CA4D` }] });
      }
      const topUp = await ledger.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: 'A020CA4D', amountCents: 10_000, tender: 'cash', actor });
      expect(topUp, JSON.stringify(topUp)).toMatchObject({ status: 'applied' });
      const sale = await ledger.applyHq({
        kind: 'purchase', storeId: DEMO_STORE_ID, cardUid: 'A040CA4D',
        lines: [{ lineNo: 1, sku: 'TEA', category: 'general', qty: 1, unitPriceCents: 3_000 }], payments: [{ method: 'credit', amountCents: 3_000 }],
      });
      expect(sale, JSON.stringify(sale)).toMatchObject({ status: 'applied' });
      // Only the credit owed keeps R4: the points the sale earned are corrected away.
      const points = (await ledger.memberViewById('R4'))!.balances.points;
      if (points > 0) expect((await ledger.applyHq({ kind: 'manual_bonus', storeId: 'hq', cardUid: 'A040CA4D', points: -points, reason: 'test: zero points', actor })).status).toBe('applied');
      for (const memberId of ['R1', 'R2']) {
        await ledger.memberProfiles.addContact({ memberId, contactedOn: THREE_YEARS_AGO.toISOString().slice(0, 10), channel: 'phone', note: `旧回访 ${memberId}`, staffId: actor.staffId, recordedAt: THREE_YEARS_AGO.toISOString() });
      }
    } finally {
      vi.useRealTimers();
    }
    const actor = (await hqAdminLogin(ledger)).actor;
    // Seen today: a card freeze at the counter is a visit, and moves no balance.
    expect((await ledger.applyHq({ kind: 'card_freeze', storeId: DEMO_STORE_ID, cardUid: 'A030CA4D', actor })).status).toBe('applied');
    await ledger.memberProfiles.addContact({ memberId: 'R2', contactedOn: new Date().toISOString().slice(0, 10), channel: 'sms', note: '新回访', staffId: actor.staffId, recordedAt: new Date().toISOString() });
    await ledger.memberProfiles.erase('R5', new Date().toISOString());
  }

  beforeEach(async () => {
    ledger = await open();
    await seedDemoData(ledger);
    await seedOldMembers();
    identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    app = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883', retention: { retention: ledger.retention, timezone: async () => TZ } });
    admin = await staffAuthorization(identity, 'hq_admin', ['*']);
  });
  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await app.close();
    await ledger.close();
  });
  afterAll(stopPostgres);

  const inject = (method: 'GET' | 'PUT' | 'POST', url: string, headers: { authorization: string }, payload?: unknown) =>
    app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

  it('off by default; set with before and after in the audit log; bad months and non-HQ roles refused', async () => {
    expect((await inject('GET', '/api/settings/retention', admin)).json()).toMatchObject({ settings: { contactMonths: null, inactiveMonths: null }, runs: [] });
    for (const role of ['region_manager', 'store_manager', 'cashier', 'technician'] as const) {
      const other = await staffAuthorization(identity, role, role === 'region_manager' ? ['*'] : [DEMO_STORE_ID]);
      expect((await inject('GET', '/api/settings/retention', other)).statusCode).toBe(403);
      expect((await inject('PUT', '/api/settings/retention', other, { contactMonths: 12, inactiveMonths: 24 })).statusCode).toBe(403);
      expect((await inject('GET', '/api/retention/preview', other)).statusCode).toBe(403);
      expect((await inject('POST', '/api/retention/run', other)).statusCode).toBe(403);
    }
    expect((await inject('PUT', '/api/settings/retention', admin, { contactMonths: 12, inactiveMonths: 2 })).statusCode).toBe(400);
    expect((await inject('PUT', '/api/settings/retention', admin, { contactMonths: 0, inactiveMonths: null })).statusCode).toBe(400);
    const saved = await inject('PUT', '/api/settings/retention', admin, { contactMonths: 12, inactiveMonths: 24 });
    expect(saved.statusCode).toBe(200);
    expect((await inject('GET', '/api/settings/retention', admin)).json().settings).toMatchObject({ contactMonths: 12, inactiveMonths: 24, updatedBy: expect.any(String) });
    await inject('PUT', '/api/settings/retention', admin, { contactMonths: null, inactiveMonths: 24 });
    const entries = await ledger.identity.auditEntries({ limit: 5, action: 'settings.retention' });
    expect(entries.map((e) => [e.before, e.after])).toEqual([
      [{ contactMonths: 12, inactiveMonths: 24 }, { contactMonths: null, inactiveMonths: 24 }],
      [{ contactMonths: null, inactiveMonths: null }, { contactMonths: 12, inactiveMonths: 24 }],
    ]);
    // Nothing ran: settings alone erase nobody.
    expect((await ledger.memberProfiles.profile('R1'))!.erasedAt).toBeNull();
  });

  it('preview, run, run again: exactly R1 erased, only old contact entries deleted, the second run changes nothing', async () => {
    // A preview of rules not yet saved: HQ sees before switching them on.
    const preview = (await inject('GET', '/api/retention/preview?contactMonths=12&inactiveMonths=24', admin)).json();
    expect(preview.contactsDue).toBe(2);
    expect(preview.members.total).toBe(1);
    expect(preview.members.candidates).toEqual([expect.objectContaining({ memberId: 'R1', name: '老会员1', phone: '*******0001', lastVisitAt: null })]);
    // Saved rules are off: a run does nothing.
    expect((await inject('POST', '/api/retention/run', admin)).json()).toMatchObject({ ran: false, membersErased: 0 });

    await inject('PUT', '/api/settings/retention', admin, { contactMonths: 12, inactiveMonths: 24 });
    const run = await inject('POST', '/api/retention/run', admin);
    expect(run.json()).toEqual({ ran: true, contactsDeleted: 2, membersErased: 1, complete: true });
    const r1 = (await ledger.memberProfiles.profile('R1'))!;
    expect(r1).toMatchObject({ name: ERASED_NAME, phone: '', erasedAt: expect.any(String) });
    for (const kept of ['R2', 'R3', 'R4']) expect((await ledger.memberProfiles.profile(kept))!.erasedAt).toBeNull();
    for (const demo of ['M0001', 'M0002', 'M0003', 'M0004']) expect((await ledger.memberProfiles.profile(demo))!.erasedAt).toBeNull();
    expect((await ledger.memberProfiles.contacts('R1', 10)).length).toBe(0);
    expect((await ledger.memberProfiles.contacts('R2', 10)).map((c) => c.note)).toEqual(['新回访']);
    // The erasure audited as the system's, naming the rule and no personal value; the contact purge by its count.
    const erasures = await ledger.identity.auditEntries({ limit: 10, action: 'member.erase', actorId: 'retention' });
    expect(erasures).toEqual([expect.objectContaining({ actorKind: 'system', target: 'R1', detail: expect.objectContaining({ reason: 'retention', inactiveMonths: 24 }) })]);
    expect(JSON.stringify(erasures)).not.toContain('13900000001');
    expect((await ledger.identity.auditEntries({ limit: 5, action: 'member.contacts_purged' }))[0]).toMatchObject({ actorKind: 'system', detail: { deleted: 2, members: 2 } });
    expect((await ledger.identity.auditEntries({ limit: 1, action: 'retention.run' }))[0]).toMatchObject({ actorKind: 'staff', detail: { membersErased: 1 } });

    const auditBefore = (await ledger.identity.auditEntries({ limit: 1000 })).filter((e) => e.actorId === 'retention').length;
    expect((await inject('POST', '/api/retention/run', admin)).json()).toEqual({ ran: true, contactsDeleted: 0, membersErased: 0, complete: true });
    // The daily sweep after it: nothing either.
    expect(await applyRetention(ledger.retention, new Date().toISOString(), TZ, 'daily')).toEqual({ ran: true, contactsDeleted: 0, membersErased: 0, complete: true });
    expect((await ledger.identity.auditEntries({ limit: 1000 })).filter((e) => e.actorId === 'retention').length).toBe(auditBefore);
    expect((await inject('GET', '/api/retention/preview', admin)).json()).toMatchObject({ contactsDue: 0, members: { total: 0, candidates: [] } });
    expect((await inject('GET', '/api/settings/retention', admin)).json().runs).toHaveLength(3);
  });
});
