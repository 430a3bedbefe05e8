/**
 * The flows' demo on a real SQLite ledger: a member whose birthday is the seed day in the chain's time zone and who
 * agreed to marketing, and the staff account the demo's flows act as; made once, the demo's four members untouched.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { DEMO_BIRTHDAY_MEMBER, DEMO_FLOW_STAFF_NAME, DEMO_MEMBERS, DEMO_STORE_ID, DEMO_TECH_LOGIN, DEMO_TECH_NAME, seedDemoAutomation, seedDemoData } from './seed-demo-data.ts';

describe('seedDemoAutomation', () => {
  let ledger: Ledger | null = null;
  afterEach(async () => {
    if (ledger) expect(await ledger.audit()).toEqual([]);
    await ledger?.close();
    ledger = null;
  });

  it("adds a member born on the seed day (the chain's calendar) who agreed to marketing, and the flows' region manager, once", async () => {
    const store = (ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE }));
    await seedDemoData(store);
    const staffBefore = (await store.identity.listStaff()).length;
    // 23:30 UTC on 31 December is already 1 January in Shanghai.
    const now = Date.parse('2026-12-31T23:30:00.000Z');
    const seeded = await seedDemoAutomation(store, { now });
    expect(seeded).toMatchObject({ created: true, memberId: DEMO_BIRTHDAY_MEMBER.memberId });
    expect((await store.memberProfiles.profile(DEMO_BIRTHDAY_MEMBER.memberId))!.birthday).toBe('1992-01-01');
    expect((await store.memberProfiles.consents(DEMO_BIRTHDAY_MEMBER.memberId)).map((c) => [c.purpose, c.granted])).toEqual([['marketing_sms', true]]);
    const staff = await store.identity.listStaff();
    // The flows' account and the demo store's technician (who may open the Node-RED editors).
    expect(staff).toHaveLength(staffBefore + 2);
    expect(staff.find((s) => s.name === DEMO_TECH_NAME)).toMatchObject({ role: 'technician', storeIds: [DEMO_STORE_ID], login: DEMO_TECH_LOGIN, hasPassword: true });
    expect(staff.find((s) => s.staffId === seeded.flowStaffId)).toMatchObject({ name: DEMO_FLOW_STAFF_NAME, role: 'region_manager', storeIds: ['*'], active: true, hasCard: false, hasPassword: false, login: null });

    expect(await seedDemoAutomation(store, { now: now + 86_400_000 })).toEqual({ created: false, memberId: DEMO_BIRTHDAY_MEMBER.memberId, flowStaffId: seeded.flowStaffId });
    expect((await store.memberProfiles.profile(DEMO_BIRTHDAY_MEMBER.memberId))!.birthday).toBe('1992-01-01');
    expect(await store.identity.listStaff()).toHaveLength(staffBefore + 2);
    // The demo's own members are as they were: the tests that count them still see four, with no profile filled in.
    expect(await store.listMemberIds(10)).toEqual([...DEMO_MEMBERS.map((m) => m.memberId), DEMO_BIRTHDAY_MEMBER.memberId]);
    for (const m of DEMO_MEMBERS) expect((await store.memberProfiles.profile(m.memberId))!.birthday).toBeNull();
  });
});
