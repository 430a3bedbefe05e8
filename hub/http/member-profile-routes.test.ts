/**
 * The member page's changes over the hub's HTTPS API (real hub, real TLS, real SQLite, real logins): profile and
 * HQ's custom fields (audited, phone masked), the contact log, consent records, the card lifecycle through the
 * HQ transaction path, export and erasure on request (PIPL). Refused: a store manager of another store (as if the
 * member did not exist), a cashier editing or erasing, a store manager exporting or erasing. The journal audit
 * after each test, erasure included.
 */
import pino from 'pino';
import { createMessageService } from '../messaging/message-service.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { demoStoreStaffTokens } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

describe('member profile, contact log, consents, card lifecycle, export and erasure over the hub API (HTTPS)', () => {
  let env: TestHub;
  const call = (method: string, path: string, token: string, body?: unknown) => hubHttps(env, method, path, { token, ...(body === undefined ? {} : { body }) });
  let admin: string;
  let cashier: string;
  let manager: string;
  let otherManager: string;
  let regionManager: string;

  beforeAll(async () => {
    env = await startTestHub();
    const staffs = await demoStoreStaffTokens(env.hub.store);
    ({ admin, cashier, manager, otherManager } = staffs);
    regionManager = await staffs.token('region_manager', ['*']);
  });
  afterAll(async () => {
    await env.dispose();
  });
  afterEach(async () => {
    expect(await env.hub.store.audit()).toEqual([]);
  });

  it('HQ defines custom fields; a store manager edits the profile (audited before/after, phone masked); refusals', async () => {
    expect((await call('PUT', '/api/member-fields', manager, { fields: [{ key: 'car_plate', label: '车牌' }] })).status).toBe(403);
    const fields = await call('PUT', '/api/member-fields', admin, { fields: [{ key: 'car_plate', label: '车牌 / Plate' }, { key: 'company', label: '单位 / Company' }] });
    expect(fields.status).toBe(200);
    const change = { gender: 'female', birthday: '1990-05-17', address: '上海市徐汇区漕溪北路 1 号', customFields: { car_plate: '沪A12345' } };
    expect((await call('PUT', '/api/members/M0001/profile', cashier, change)).status).toBe(403);
    expect((await call('PUT', '/api/members/M0001/profile', otherManager, change)).status).toBe(404);
    expect((await call('PUT', '/api/members/M0001/profile', manager, { customFields: { not_defined: 'x' } })).status).toBe(400);
    expect((await call('PUT', '/api/members/M0001/profile', manager, { birthday: '1990-13-45' })).status).toBe(400);
    // A store manager sees the last four digits only, so may not overwrite the number.
    const phone = await call('PUT', '/api/members/M0001/profile', manager, { phone: '13900000000' });
    expect(phone.status).toBe(403);
    const edited = await call('PUT', '/api/members/M0001/profile', manager, change);
    expect(edited.status).toBe(200);
    expect(edited.body.profile).toMatchObject({ ...change, name: 'Li Wei', phone: '*******8001' });
    const entry = (await env.hub.store.identity.auditEntries({ limit: 5, action: 'member.profile' }))[0];
    expect(entry).toMatchObject({ target: 'M0001', outcome: 'ok', before: { gender: null, birthday: null, address: null, customFields: {} }, after: change });
    // HQ may change the phone; the audit log keeps it masked; a number another member has is refused.
    expect((await call('PUT', '/api/members/M0001/profile', admin, { phone: '13800138002' })).body).toMatchObject({ error: { code: 'MEMBER_PHONE_TAKEN' } });
    const hq = await call('PUT', '/api/members/M0001/profile', admin, { name: '李伟', phone: '13800138011' });
    expect(hq.body.profile).toMatchObject({ name: '李伟', phone: '13800138011' });
    expect((await env.hub.store.identity.auditEntries({ limit: 1, action: 'member.profile' }))[0]).toMatchObject({ before: { name: 'Li Wei', phone: '*******8001' }, after: { name: '李伟', phone: '*******8011' } });
    const read = await call('GET', '/api/members/M0001/profile', manager);
    expect(read.body).toMatchObject({ profile: { phone: '*******8011', gender: 'female' }, phoneVisible: false, fields: [{ key: 'car_plate' }, { key: 'company' }] });
    expect(read.body.actions).toMatchObject({ editProfile: true, editPhone: false, freeze: true, manualBonus: false, erase: false, exportData: false });
    expect((await call('GET', '/api/members/M0001/profile', admin)).body.actions).toMatchObject({ editPhone: true, manualBonus: true, erase: true });
    expect((await call('GET', '/api/members/M0001/profile', otherManager)).status).toBe(404);
  });

  it('the contact log and consent records: written by the store manager, refused elsewhere, withdrawals kept as history', async () => {
    const contact = await call('POST', '/api/members/M0002/contacts', manager, { contactedOn: '2026-11-30', channel: 'phone', note: '回访：对新品满意' });
    expect(contact.status).toBe(201);
    expect((await call('POST', '/api/members/M0002/contacts', otherManager, { contactedOn: '2026-11-30', channel: 'phone', note: 'x' })).status).toBe(404);
    expect((await call('POST', '/api/members/M0002/contacts', cashier, { contactedOn: '2026-11-30', channel: 'phone', note: 'x' })).status).toBe(403);
    expect((await call('POST', '/api/members/M0002/contacts', manager, { contactedOn: '2026-11-30', channel: 'pigeon', note: 'x' })).status).toBe(400);
    expect((await call('GET', '/api/members/M0002/contacts', manager)).body.contacts).toEqual([expect.objectContaining({ channel: 'phone', note: '回访：对新品满意' })]);
    expect((await call('POST', '/api/members/M0002/consents', manager, { purpose: 'marketing_sms', granted: true })).status).toBe(201);
    expect((await call('POST', '/api/members/M0002/consents', manager, { purpose: 'marketing_sms', granted: false, note: '会员来电撤回' })).status).toBe(201);
    expect((await call('POST', '/api/members/M0002/consents', otherManager, { purpose: 'marketing_sms', granted: true })).status).toBe(404);
    const consents = (await call('GET', '/api/members/M0002/consents', manager)).body.consents as { granted: boolean }[];
    expect(consents.map((c) => c.granted)).toEqual([true, false]);
    expect((await env.hub.store.identity.auditEntries({ limit: 1, action: 'member.consent' }))[0]).toMatchObject({ before: { granted: true }, after: { granted: false } });
  });

  it('freeze, unfreeze, report loss and cancel it through the HQ transaction path; the ledger refuses a cashier freezing', async () => {
    const card = DEMO_CARDS.silver;
    expect((await call('POST', `/api/cards/${card}/lifecycle`, otherManager, { action: 'freeze' })).status).toBe(404);
    const byCashier = await call('POST', `/api/cards/${card}/lifecycle`, cashier, { action: 'freeze' });
    expect(byCashier.status).toBe(403);
    expect(byCashier.body).toMatchObject({ status: 'rejected', code: 'STAFF_UNAUTHORIZED' });
    const frozen = await call('POST', `/api/cards/${card}/lifecycle`, manager, { action: 'freeze' });
    expect(frozen.status).toBe(200);
    expect(frozen.body.status).toBe('applied');
    expect((await env.hub.store.card(card))?.status).toBe('frozen');
    expect((await call('POST', `/api/cards/${card}/lifecycle`, manager, { action: 'freeze' })).body).toMatchObject({ status: 'rejected', code: 'CARD_BAD_STATE' });
    expect((await call('POST', `/api/cards/${card}/lifecycle`, manager, { action: 'unfreeze' })).body.status).toBe('applied');
    expect((await call('POST', `/api/cards/${card}/lifecycle`, cashier, { action: 'report_loss' })).body.status).toBe('applied');
    expect((await env.hub.store.card(card))?.status).toBe('lost');
    expect((await call('POST', `/api/cards/${card}/lifecycle`, regionManager, { action: 'cancel_loss' })).body.status).toBe('applied');
    expect((await env.hub.store.card(card))?.status).toBe('active');
    expect((await call('POST', `/api/cards/${card}/lifecycle`, manager, { action: 'melt' })).status).toBe(400);
    // The manual bonus route (build-app.ts) as the page uses it: a store manager is refused by the ledger.
    expect((await call('POST', '/api/members/M0002/manual-bonus', manager, { points: 10, reason: '补录' })).body).toMatchObject({ status: 'rejected', code: 'STAFF_UNAUTHORIZED' });
  });

  it('export (HQ only) and erasure (HQ only): personal fields gone, journal and transactions kept, the old phone finds nobody', async () => {
    const top = await call('POST', '/api/members/M0003/manual-bonus', admin, { points: 120, reason: '活动补发' });
    expect(top.body.status).toBe('applied');
    await call('PUT', '/api/members/M0003/profile', admin, { address: '北京市朝阳区', birthday: '1985-01-02', customFields: { company: 'ACME' } });
    await call('POST', '/api/members/M0003/contacts', admin, { contactedOn: '2026-11-29', channel: 'wechat', note: '生日关怀' });
    // A message a flow addressed to the member (no SMS gateway here: recorded as not sent, with its text).
    const messages = createMessageService({ store: env.hub.store.messaging, sms: null, staffWebhook: null, storeName: async () => null, logger: pino({ level: 'silent' }) });
    await messages.send({ to: { memberId: 'M0003' }, purpose: 'service', text: 'Zhang Min 您好，积分将到期', idempotencyKey: 'export-test-1' });
    expect((await call('GET', '/api/members/M0003/export', manager)).status).toBe(403);
    expect((await call('GET', '/api/members/M0003/export', otherManager)).status).toBe(403);
    const exported = await call('GET', '/api/members/M0003/export', admin);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ profile: { name: 'Zhang Min', phone: '13800138003', address: '北京市朝阳区' }, cards: [expect.objectContaining({ uid: DEMO_CARDS.gold })], contacts: [expect.objectContaining({ note: '生日关怀' })] });
    expect((exported.body.history as { kind: string }[]).map((h) => h.kind)).toContain('manual_bonus');
    expect(exported.body.messages).toEqual([expect.objectContaining({ idempotencyKey: 'export-test-1', text: 'Zhang Min 您好，积分将到期' })]);

    const transactionsBefore = await env.hub.store.transactionCount();

    expect((await call('POST', '/api/members/M0003/erase', cashier, { confirmMemberId: 'M0003' })).status).toBe(403);
    expect((await call('POST', '/api/members/M0003/erase', manager, { confirmMemberId: 'M0003' })).status).toBe(403);
    expect((await call('POST', '/api/members/M0003/erase', otherManager, { confirmMemberId: 'M0003' })).status).toBe(403);
    expect((await call('POST', '/api/members/M0003/erase', admin, { confirmMemberId: 'M0004' })).status).toBe(400);
    const erased = await call('POST', '/api/members/M0003/erase', admin, { confirmMemberId: 'M0003' });
    expect(erased.status).toBe(200);
    expect(erased.body.profile).toMatchObject({ name: '—', phone: '', gender: null, birthday: null, address: null, customFields: {} });
    expect((erased.body.profile as { erasedAt: string | null }).erasedAt).not.toBeNull();

    // Transactions, history, balances and point lots as they were; the journal audit (afterEach, and here) is clean.
    expect(await env.hub.store.transactionCount()).toBe(transactionsBefore);
    expect(await env.hub.store.audit()).toEqual([]);
    const after = await call('GET', '/api/members/M0003/export', admin);
    for (const key of ['history', 'balances', 'pointLots', 'cards', 'consents']) expect(after.body[key]).toEqual(exported.body[key]);
    expect(after.body.profile).toMatchObject({ name: '—', phone: '', address: null });
    // The message is still on record, without the text that named the member.
    expect(after.body.messages).toEqual([expect.objectContaining({ idempotencyKey: 'export-test-1', text: '—' })]);
    expect((await call('GET', '/api/members/M0003/record', admin)).body).toMatchObject({ name: '—', phone: '' });
    // The old phone (whole, suffix) and name find nobody; the contact note is gone.
    for (const q of ['13800138003', '8003', 'Zhang']) {
      expect((await call('GET', `/api/member-search?q=${q}`, admin)).body.members).toEqual([]);
    }
    expect((await call('GET', '/api/members/M0003/contacts', admin)).body.contacts).toEqual([expect.objectContaining({ note: '—', channel: 'wechat' })]);
    // Nothing personal is written for them again; the erasure is audited without the values it removed.
    expect((await call('PUT', '/api/members/M0003/profile', admin, { address: 'x' })).body).toMatchObject({ error: { code: 'MEMBER_ERASED' } });
    expect((await call('POST', '/api/members/M0003/erase', admin, { confirmMemberId: 'M0003' })).status).toBe(409);
    const entry = (await env.hub.store.identity.auditEntries({ limit: 1, action: 'member.erase' }))[0];
    expect(entry).toMatchObject({ target: 'M0003', outcome: 'ok' });
    expect(JSON.stringify(entry)).not.toMatch(/13800138003|Zhang|北京/);
    // Points still move on the member's card: the ledger did not lose the member.
    expect((await call('POST', '/api/members/M0003/manual-bonus', admin, { points: 5, reason: '测试' })).body.status).toBe('applied');
  });
});
