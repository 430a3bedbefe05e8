/**
 * Importing members over the hub API (Fastify inject, each real ledger back end — SQLite in memory, PostgreSQL on a
 * throwaway cluster (hub/testing/start-postgres.ts) — real logins, demo data): a preview writes
 * nothing; a file with one bad row imports nothing and says which row; a good file imports every member, card,
 * profile and opening balance through the ledger's HQ path (the journal audit clean, the balances right); the same
 * file again doubles nothing, nor does a member_import replayed straight into the ledger; a refusal inside the one
 * database transaction rolls back every row before it. Cashiers, technicians and store managers are refused.
 */
import iconv from 'iconv-lite';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { createMemberImportService, importedMemberId, MAX_IMPORT_ROWS } from '../members-import/member-import-service.ts';
import { hqAdminLogin, staffAuthorization } from '../testing/staff-actor.ts';
import { buildApp } from './build-app.ts';

const STORES = [{ storeId: DEMO_STORE_ID, name: '徐汇店' }, { storeId: 'store-002', name: '静安店' }];
const HEADER = '姓名,手机号,卡号,等级,开卡门店,性别,生日,地址,储值余额（元）,赠送余额,积分,推荐人手机号,车牌号';
const GOOD_ROWS = [
  // Row 2 is referred by row 3, who comes later in the file; row 4 by a member the ledger already has (Li Wei).
  '王芳,13900000001,C0000001,金卡,静安店,女,1990/5/7,上海市静安区南京西路 1 号,12.3,5,1200,13900000002,沪A12345',
  '李强,13900000002,C0000002,,store-001,男,,,100,,,,',
  '赵敏,+86 139 0000 0003,c0000003,silver,徐汇店,,,,"1,000.05",,300,13800138001,',
];
const csv = (rows: string[]) => `${HEADER}\r\n${rows.join('\r\n')}\r\n`;
/** A Chinese Excel's CSV: GBK. */
const GOOD = iconv.encode(csv(GOOD_ROWS), 'gbk');
/** The same file with one row whose stored value has three decimals. */
const BAD = Buffer.from(`\uFEFF${csv([...GOOD_ROWS, '孙丽,13900000004,C0000004,,徐汇店,,,,12.345,,,,'])}`, 'utf8');

const silent = pino({ level: 'silent' });
const backends = [
  { name: 'SQLite', open: () => openLedger({ kind: 'sqlite', path: ':memory:', logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE }) },
  { name: 'PostgreSQL', open: async () => openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase('member_import'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 }) },
];

describe.each(backends)('member import over the hub API (inject, real $name)', ({ open }) => {
  let ledger: Ledger;
  let identity: IdentityService;
  let app: ReturnType<typeof buildApp>;
  let admin: { authorization: string };

  const post = (what: 'preview' | 'commit', file: Uint8Array, headers: { authorization?: string } = admin, type = 'text/csv') =>
    app.inject({ method: 'POST', url: `/api/member-import/${what}?name=${encodeURIComponent('旧系统会员.csv')}`, headers: { ...headers, 'content-type': type }, payload: Buffer.from(file) });
  /** What a write would change: transactions, members, HQ's seq, audit lines, profiles. */
  const footprint = async () => ({
    transactions: await ledger.transactionCount(),
    members: (await ledger.listMemberIds(1000)).length,
    hqSeq: await ledger.lastSeq(HQ_DEVICE_ID),
    audit: (await ledger.identity.auditEntries({ limit: 1000 })).length,
  });

  beforeEach(async () => {
    ledger = await open();
    await seedDemoData(ledger);
    await ledger.memberProfiles.setFieldDefs([{ key: 'car_plate', label: '车牌号', position: 0 }]);
    identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    const service = createMemberImportService({ imports: ledger.memberImports, profiles: ledger.memberProfiles, rules: ledger, stores: async () => STORES, fallbackBundle: DEFAULT_RULES_BUNDLE });
    app = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883', memberImport: { service, profiles: ledger.memberProfiles } });
    admin = { authorization: `Bearer ${(await hqAdminLogin(ledger)).token}` };
  });
  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await ledger.close();
  });
  afterAll(stopPostgres);

  it('a preview reads a GBK file, checks every row and writes nothing', async () => {
    const before = await footprint();
    const res = await post('preview', GOOD);
    expect(res.statusCode).toBe(200);
    const preview = res.json();
    expect(preview).toMatchObject({ format: 'csv', encoding: 'gbk', fileName: '旧系统会员.csv', counts: { rows: 3, valid: 3, invalid: 0, errors: 0 }, errors: [], alreadyImported: null });
    expect(preview.totals).toEqual({ storedValueCents: 1230 + 10_000 + 100_005, bonusValueCents: 500, points: 1500 });
    expect((preview.columns as unknown[]).at(-1)).toEqual({ header: '车牌号', meaning: 'custom:car_plate' });
    expect(preview.preview[0]).toMatchObject({ row: 2, memberId: importedMemberId(preview.importId, 2), tier: 'gold', storeId: 'store-002', birthday: '1990-05-07', storedValueCents: 1230, customFields: { car_plate: '沪A12345' } });
    expect(preview.preview[2]).toMatchObject({ phone: '13900000003', cardUid: 'C0000003', storedValueCents: 100_005 });
    const bad = (await post('preview', BAD)).json();
    expect(bad.counts).toEqual({ rows: 4, valid: 3, invalid: 1, errors: 1 });
    expect(bad.errors).toEqual([{ row: 5, column: 'storedValue', reason: 'MONEY_TOO_PRECISE', value: '12.345' }]);
    expect(await footprint()).toEqual(before);
  });

  it('a commit of a file with one bad row imports nothing, answers the row, and is audited as refused', async () => {
    const before = await footprint();
    const res = await post('commit', BAD);
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('MEMBER_IMPORT_INVALID');
    expect(error.details.preview.errors).toEqual([{ row: 5, column: 'storedValue', reason: 'MONEY_TOO_PRECISE', value: '12.345' }]);
    expect(await ledger.member(importedMemberId(error.details.preview.importId, 2))).toBeNull();
    const after = await footprint();
    expect({ ...after, audit: after.audit - 1 }).toEqual(before);
    expect((await ledger.identity.auditEntries({ limit: 1, action: 'member.import' }))[0]).toMatchObject({ outcome: 'refused:MEMBER_IMPORT_INVALID', actorKind: 'staff', detail: { counts: { invalid: 1 } } });
  });

  it('a good commit imports every member with card, profile and opening balances; the same file again doubles nothing', async () => {
    const before = await footprint();
    const res = await post('commit', GOOD);
    expect(res.statusCode).toBe(201);
    const { record } = res.json();
    expect(record).toMatchObject({ fileName: '旧系统会员.csv', members: 3, storedValueCents: 111_235, bonusValueCents: 500, points: 1500 });
    const id = (row: number) => importedMemberId(record.importId, row);
    expect(await footprint()).toEqual({ ...before, transactions: before.transactions + 3, members: before.members + 3, hqSeq: before.hqSeq + 3, audit: before.audit + 1 });

    const wang = await ledger.memberViewById(id(2));
    expect(wang).toMatchObject({ name: '王芳', tier: 'gold', balances: { storedValueCents: 1230, bonusValueCents: 500, points: 1200 } });
    expect((await ledger.memberViewById(id(4)))!.balances).toEqual({ storedValueCents: 100_005, bonusValueCents: 0, points: 300 });
    expect(await ledger.card('C0000003')).toMatchObject({ memberId: id(4), status: 'active' });
    expect(await ledger.memberStores(id(2))).toMatchObject({ homeStoreId: 'store-002' });
    // Row 3 was applied before row 2, whom they referred; row 4's referrer is a member from before.
    expect((await ledger.memberConsole.memberRecord(id(2), 10))!.referrerId).toBe(id(3));
    expect((await ledger.memberConsole.memberRecord(id(4), 10))!.referrerId).toBe('M0001');
    expect(await ledger.memberProfiles.profile(id(2))).toMatchObject({ gender: 'female', birthday: '1990-05-07', address: '上海市静安区南京西路 1 号', customFields: { car_plate: '沪A12345' } });
    const line = (await ledger.identity.auditEntries({ limit: 1, action: 'member.import' }))[0];
    expect(line).toMatchObject({ outcome: 'applied', actorKind: 'staff', after: { members: 3, storedValueCents: 111_235 }, detail: { importId: record.importId } });
    expect(JSON.stringify(line)).not.toContain('13900000001');

    const imported = await footprint();
    const again = await post('commit', GOOD);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'MEMBER_IMPORT_REPEATED', details: { alreadyImported: { importId: record.importId, members: 3 } } });
    expect((await post('preview', GOOD)).json().alreadyImported).toMatchObject({ importId: record.importId });
    expect({ ...(await footprint()), audit: imported.audit }).toEqual(imported);
    expect((await ledger.memberViewById(id(2)))!.balances.storedValueCents).toBe(1230);

    // The same member_import replayed straight into the ledger (no import record in the way) is refused, not doubled.
    const replay = await ledger.applyHq({
      kind: 'member_import', storeId: HQ_DEVICE_ID, memberId: id(2), importId: record.importId, row: 2, cardUid: 'C0000009', name: '王芳', phone: '13900000009',
      tier: 'gold', homeStoreId: 'store-002', storedValueCents: 1230, bonusValueCents: 0, points: 0, importedBy: 'x',
    });
    expect(replay).toMatchObject({ status: 'rejected', code: 'MEMBER_EXISTS' });
    expect((await ledger.memberViewById(id(2)))!.balances.storedValueCents).toBe(1230);
  });

  it('a refusal inside the one database transaction rolls back every row before it', async () => {
    const before = await footprint();
    const body = (row: number, phone: string) => ({
      kind: 'member_import' as const, storeId: HQ_DEVICE_ID, memberId: `M-ITEST-${row}`, importId: 'a'.repeat(64), row, cardUid: `D000000${row}`, name: `n${row}`, phone,
      tier: 'standard', homeStoreId: DEMO_STORE_ID, storedValueCents: 500, bonusValueCents: 0, points: 10, importedBy: 'x',
    });
    // Row 3's phone is Li Wei's (as if registered at a kiosk between the preview and the commit).
    const batch = { importId: 'a'.repeat(64), fileName: 'f.csv', importedBy: 'x', at: new Date().toISOString(), bodies: [body(2, '13911111112'), body(3, '13800138001')], profiles: [] };
    const refused = await ledger.memberImports.importMembers(batch).then(() => null, (e: unknown) => (isCodedError(e) ? { code: e.code, details: e.details } : e));
    expect(refused).toEqual({ code: 'MEMBER_PHONE_TAKEN', details: { row: 3, code: 'MEMBER_PHONE_TAKEN' } });
    expect(await footprint()).toEqual(before);
    expect(await ledger.member('M-ITEST-2')).toBeNull();
    expect(await ledger.memberImports.findImport('a'.repeat(64))).toBeNull();
    // HQ's next transaction takes the next seq as if nothing happened.
    const imported = await ledger.memberImports.importMembers({ ...batch, bodies: [body(2, '13911111112')] });
    expect(imported.results.map((r) => [r.status, r.seq])).toEqual([['applied', before.hqSeq + 1]]);
  });

  it('refuses every role but HQ admin, a missing body, and a file over the size limit', async () => {
    for (const role of ['cashier', 'technician', 'store_manager', 'region_manager'] as const) {
      const headers = await staffAuthorization(identity, role, role === 'region_manager' ? ['*'] : [DEMO_STORE_ID]);
      expect((await post('preview', GOOD, headers)).statusCode, role).toBe(403);
      expect((await post('commit', GOOD, headers)).statusCode, role).toBe(403);
    }
    expect((await post('commit', GOOD, {})).statusCode).toBe(401);
    const json = await app.inject({ method: 'POST', url: '/api/member-import/preview', headers: admin, payload: { rows: [] } });
    expect(json.json().error.code).toBe('MEMBER_IMPORT_FILE_UNREADABLE');
    const huge = await post('preview', Buffer.alloc(10 * 1024 * 1024 + 1, 0x41));
    expect([huge.statusCode, huge.json().error.code]).toEqual([413, 'REQUEST_TOO_LARGE']);
    // One row more than a file may hold (the import holds the hub's thread while it writes): refused before any check.
    const manyRows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `会员${i},139${String(i).padStart(8, '0')},C${String(i).padStart(9, '0')},,徐汇店,,,,,,,,`);
    const tooMany = await post('preview', Buffer.from(csv(manyRows)));
    expect([tooMany.statusCode, tooMany.json().error.code, tooMany.json().error.details]).toEqual([413, 'MEMBER_IMPORT_TOO_LARGE', { rows: MAX_IMPORT_ROWS + 1, maxRows: MAX_IMPORT_ROWS }]);
    expect((await post('commit', Buffer.from(csv(manyRows.slice(0, 0))))).json().error.code).toBe('MEMBER_IMPORT_FILE_UNREADABLE');
    const template = await app.inject({ method: 'GET', url: '/api/member-import/template.csv', headers: admin });
    expect(template.body).toBe('\uFEFF姓名,手机号,卡号,等级,开卡门店,性别,生日,地址,储值余额,赠送余额,积分,推荐人手机号,车牌号\r\n');
  });
});
