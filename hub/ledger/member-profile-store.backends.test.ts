/**
 * The member profile store (member-profile-store.ts) on both ledger back ends, one case list: a SQLite file and a
 * PostgreSQL database on a throwaway cluster (hub/testing/start-postgres.ts). Profiles, HQ's custom field
 * definitions, the contact log, consents, and an erasure — which must reach the registration's recorded payload
 * (its other keys kept in order) while the registration's resend is still recognised.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import type { Ledger } from './ledger.ts';
import { parseLedgerTransaction } from './ledger-parse.ts';
import { ERASED_NAME } from './member-profile-store.ts';
import { openLedger } from './open-ledger.ts';

const silent = pino({ level: 'silent' });
const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
const AT = '2026-05-01T08:00:00.000Z';

const dirs: string[] = [];
const backends = [
  {
    name: 'SQLite',
    open: async (): Promise<Ledger> => {
      const dir = mkdtempSync(join(tmpdir(), 'mk-profiles-'));
      dirs.push(dir);
      return openLedger({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE });
    },
  },
  {
    name: 'PostgreSQL',
    open: async (): Promise<Ledger> => openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase('profiles'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 }),
  },
];

describe.each(backends)('member profiles ($name)', ({ open }) => {
  let ledger: Ledger | null = null;
  afterEach(async () => {
    if (ledger) expect(await ledger.audit()).toEqual([]);
    await ledger?.close();
    ledger = null;
  });
  afterAll(async () => {
    await stopPostgres();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function setUp(): Promise<Ledger> {
    const store = (ledger = await open());
    await seedDemoData(store);
    return store;
  }

  it('reads and edits a profile: before and after, blank custom values dropped, unknown members null', async () => {
    const { memberProfiles: profiles } = await setUp();
    expect(await profiles.profile('M9999')).toBeNull();
    expect(await profiles.updateProfile('M9999', { name: 'x' }, AT)).toBeNull();
    const fresh = await profiles.profile('M0001');
    expect(fresh).toEqual({ memberId: 'M0001', name: 'Li Wei', phone: '13800138001', gender: null, birthday: null, address: null, customFields: {}, updatedAt: null, erasedAt: null });
    const changed = await profiles.updateProfile('M0001', { name: '李伟', gender: 'male', birthday: '1990-02-03', customFields: { shoe: '42', note: '  ' } }, AT);
    expect(changed?.before).toEqual(fresh);
    expect(changed?.after).toEqual({ ...fresh, name: '李伟', gender: 'male', birthday: '1990-02-03', customFields: { shoe: '42' }, updatedAt: AT });
    const later = '2026-05-02T08:00:00.000Z';
    // Fields not named are kept; custom fields not named are kept too.
    expect((await profiles.updateProfile('M0001', { address: '上海', phone: '13900000001' }, later))?.after).toMatchObject({ name: '李伟', phone: '13900000001', address: '上海', customFields: { shoe: '42' }, updatedAt: later });
    expect(await profiles.profile('M0001')).toMatchObject({ name: '李伟', phone: '13900000001', gender: 'male' });
    expect((await ledger!.member('M0001'))?.name).toBe('李伟');
  });

  it("replaces HQ's field definitions in order, a field without options reading as a text field, retired fields kept as retired", async () => {
    const { memberProfiles: profiles } = await setUp();
    expect(await profiles.fieldDefs()).toEqual([]);
    await profiles.setFieldDefs([
      { key: 'shoe', label: '鞋码', position: 2, type: 'number', required: true },
      { key: 'car', label: '车型', position: 1, labelEn: 'Car', type: 'select', options: ['SUV', 'Sedan'] },
      { key: 'old', label: '旧字段', position: 3, retired: true },
    ]);
    const defs = await profiles.fieldDefs();
    expect(defs).toEqual([
      { key: 'car', label: '车型', position: 1, labelEn: 'Car', type: 'select', required: false, options: ['SUV', 'Sedan'], retired: false },
      { key: 'shoe', label: '鞋码', position: 2, labelEn: null, type: 'number', required: true, options: [], retired: false },
      { key: 'old', label: '旧字段', position: 3, labelEn: null, type: 'text', required: false, options: [], retired: true },
    ]);
    await profiles.setFieldDefs([{ key: 'old', label: '旧字段', position: 0, retired: true }]);
    expect(await profiles.fieldDefs()).toEqual([{ key: 'old', label: '旧字段', position: 0, labelEn: null, type: 'text', required: false, options: [], retired: true }]);
  });

  it('keeps the contact log newest day first, and consents oldest first with their ids', async () => {
    const { memberProfiles: profiles } = await setUp();
    const add = (contactedOn: string, note: string) => profiles.addContact({ memberId: 'M0002', contactedOn, channel: 'phone', note, staffId: 'S1', recordedAt: AT });
    const a = await add('2026-04-01', 'first');
    const b = await add('2026-04-03', 'third');
    const c = await add('2026-04-01', 'second');
    expect(a).toEqual({ contactId: a.contactId, memberId: 'M0002', contactedOn: '2026-04-01', channel: 'phone', note: 'first', staffId: 'S1', recordedAt: AT });
    expect(typeof a.contactId).toBe('number');
    expect((await profiles.contacts('M0002', 10)).map((x) => x.note)).toEqual(['third', 'second', 'first']);
    expect((await profiles.contacts('M0002', 2)).map((x) => x.contactId)).toEqual([b.contactId, c.contactId]);
    expect(await profiles.contacts('M0001', 10)).toEqual([]);

    const granted = await profiles.addConsent({ memberId: 'M0002', purpose: 'marketing_sms', granted: true, at: AT, staffId: 'S1', note: null });
    const withdrawn = await profiles.addConsent({ memberId: 'M0002', purpose: 'marketing_sms', granted: false, at: AT, staffId: 'S1', note: '回T' });
    expect(withdrawn.consentId).toBeGreaterThan(granted.consentId);
    expect(await profiles.consents('M0002')).toEqual([
      { consentId: granted.consentId, memberId: 'M0002', purpose: 'marketing_sms', granted: true, at: AT, staffId: 'S1', note: null },
      { consentId: withdrawn.consentId, memberId: 'M0002', purpose: 'marketing_sms', granted: false, at: AT, staffId: 'S1', note: '回T' },
    ]);
  });

  it("erases a member's personal fields, contact notes and registration payload's name and phone; keeps balances, consents and the resend's answer", async () => {
    const store = await setUp();
    await store.identity.setDeviceStore('kiosk-c', DEMO_STORE_ID);
    const payload = { v: TX_FORMAT, id: nextId(), deviceId: 'kiosk-c', epoch: 'E1', seq: 1, createdAt: AT, storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'register_member', cardUid: 'C0C0C0C0C0C0', name: '白露', phone: '13900000021', consents: [{ purpose: 'terms', granted: true }] };
    const raw = JSON.stringify(payload);
    const apply = async () => (await store.applyBatch([{ topicDeviceId: 'kiosk-c', parsed: parseLedgerTransaction(raw) }]))[0]!;
    const registered = await apply();
    expect(registered.status).toBe('applied');
    const memberId = registered.outcome!.memberId;
    const profiles = store.memberProfiles;
    await profiles.updateProfile(memberId, { gender: 'female', birthday: '1995-01-01', address: '北京', customFields: { shoe: '37' } }, AT);
    await profiles.addContact({ memberId, contactedOn: '2026-04-01', channel: 'wechat', note: '白露 likes tea', staffId: 'S1', recordedAt: AT });
    const consentsBefore = await profiles.consents(memberId);
    const balancesBefore = await store.member(memberId);

    const erasedAt = '2026-05-03T08:00:00.000Z';
    expect(await profiles.erase('M9999', erasedAt)).toBeNull();
    const erased = await profiles.erase(memberId, erasedAt);
    expect(erased).toEqual({ memberId, name: ERASED_NAME, phone: '', gender: null, birthday: null, address: null, customFields: {}, updatedAt: erasedAt, erasedAt });
    expect(await profiles.profile(memberId)).toEqual(erased);
    expect((await profiles.contacts(memberId, 10)).map((c) => c.note)).toEqual([ERASED_NAME]);
    expect(await profiles.consents(memberId)).toEqual(consentsBefore);
    expect({ ...(await store.member(memberId)), name: balancesBefore!.name }).toEqual(balancesBefore);

    const receipt = await store.receipts.transactionRecord(payload.id);
    const stored = JSON.parse(receipt!.payload) as Record<string, unknown>;
    expect(Object.keys(stored)).toEqual(Object.keys(payload));
    expect(stored).toEqual({ ...payload, name: ERASED_NAME, phone: '' });
    expect(await apply()).toMatchObject({ status: 'exists', original: 'applied' });
  });
});
