/**
 * The messaging routes over the hub API with Fastify inject, on the real SQLite ledger and real logins: the SMS
 * relay's unsubscribe replies (its token checked; no token configured, no route), after which marketing to that
 * member is skipped; the message records for HQ and region managers, scoped, phones masked, refused to other roles.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { createMessageService, type MessageService } from '../messaging/message-service.ts';
import { createRecordingSmsGatewayFake, type RecordingSmsGatewayFake } from '../messaging/recording-sms-gateway.ts';
import { SMS_MARKETING_PURPOSE } from '../messaging/sqlite-messaging-store.ts';
import { staffAuthorization } from '../testing/staff-actor.ts';
import { buildApp } from './build-app.ts';

const silent = pino({ level: 'silent' });
const INBOUND_TOKEN = 'relay-inbound-token-0123456789';

describe('messaging routes: SMS unsubscribe replies and the message records (real SQLite, real logins)', () => {
  let ledger: Ledger;
  let identity: IdentityService;
  let app: ReturnType<typeof buildApp>;
  let messages: MessageService;
  let sms: RecordingSmsGatewayFake;
  const auth: Record<'admin' | 'region' | 'otherRegion' | 'manager' | 'cashier', { authorization: string }> = {} as never;
  const inbound = (body: unknown, token: string | null = INBOUND_TOKEN) =>
    app.inject({ method: 'POST', url: '/api/messaging/sms-inbound', headers: token === null ? {} : { authorization: `Bearer ${token}` }, payload: body as object });

  beforeAll(async () => {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
    identity = createIdentityService({ store: ledger.identity, logger: silent });
    app = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883', messaging: { messages: ledger.messaging, inboundToken: INBOUND_TOKEN } });
    sms = createRecordingSmsGatewayFake();
    messages = createMessageService({ store: ledger.messaging, sms, staffWebhook: null, storeName: async () => '演示店', logger: silent });
    auth.admin = await staffAuthorization(identity, 'hq_admin', ['*']);
    auth.region = await staffAuthorization(identity, 'region_manager', [DEMO_STORE_ID]);
    auth.otherRegion = await staffAuthorization(identity, 'region_manager', ['store-999']);
    auth.manager = await staffAuthorization(identity, 'store_manager', [DEMO_STORE_ID]);
    auth.cashier = await staffAuthorization(identity, 'cashier', [DEMO_STORE_ID]);
  });
  afterAll(async () => {
    expect(await ledger.audit()).toEqual([]);
    await app.close();
    await ledger.close();
  });

  it('refuses an inbound reply with a wrong or missing token, and changes nothing', async () => {
    await ledger.memberProfiles.addConsent({ memberId: 'M0001', purpose: SMS_MARKETING_PURPOSE, granted: true, at: new Date().toISOString(), staffId: 'test', note: null });
    for (const token of [null, 'wrong-token', `${INBOUND_TOKEN}x`, '']) {
      const answer = await inbound({ phone: '13800138001', text: 'T' }, token);
      expect(answer.statusCode, String(token)).toBe(401);
      expect(answer.json()).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
    }
    // A staff session is not the relay's token either.
    const staff = await app.inject({ method: 'POST', url: '/api/messaging/sms-inbound', headers: auth.admin, payload: { phone: '13800138001', text: 'T' } });
    expect(staff.statusCode).toBe(401);
    expect((await ledger.memberProfiles.consents('M0001')).map((c) => c.granted)).toEqual([true]);
  });

  it('"T" withdraws marketing consent for the member with that phone; their marketing is skipped, service still goes', async () => {
    const before = await messages.send({ to: { memberId: 'M0001' }, purpose: 'marketing', text: '会员日', idempotencyKey: 'campaign-1:M0001' });
    expect(before.status).toBe('sent');
    const answer = await inbound({ phone: '+86 138-0013-8001', text: ' t ' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ unsubscribed: 1 });
    const last = (await ledger.memberProfiles.consents('M0001')).at(-1);
    expect(last).toMatchObject({ purpose: SMS_MARKETING_PURPOSE, granted: false, staffId: 'sms-reply', note: 'replied T' });
    expect((await ledger.identity.auditEntries({ limit: 1, action: 'member.consent' }))[0]).toMatchObject({ actorKind: 'system', actorId: 'sms-reply', target: 'M0001', after: { granted: false }, detail: { phone: '*******8001' } });
    expect((await messages.send({ to: { memberId: 'M0001' }, purpose: 'marketing', text: '会员日', idempotencyKey: 'campaign-2:M0001' })).status).toBe('skipped-no-consent');
    expect((await messages.send({ to: { memberId: 'M0001' }, purpose: 'service', text: '积分到期提醒', idempotencyKey: 'expiry:M0001' })).status).toBe('sent');
    expect(sms.sent.map((s) => s.text)).toEqual(['会员日 回T退订', '积分到期提醒']);
  });

  it('TD, N and 退订 unsubscribe too; other replies and unknown numbers change nothing', async () => {
    for (const [text, memberId] of [['TD', 'M0002'], ['n', 'M0003'], ['退订', 'M0004']] as const) {
      expect((await inbound({ phone: `1380013800${memberId.slice(-1)}`, text })).json(), text).toEqual({ unsubscribed: 1 });
    }
    expect((await inbound({ phone: '13800138002', text: '谢谢' })).json()).toEqual({ unsubscribed: 0 });
    expect((await inbound({ phone: '13800138002', text: 'TT' })).json()).toEqual({ unsubscribed: 0 });
    expect((await inbound({ phone: '13900000000', text: 'T' })).json()).toEqual({ unsubscribed: 0 });
    expect((await ledger.memberProfiles.consents('M0002')).map((c) => c.granted)).toEqual([false]);
    expect((await inbound({ text: 'T' })).statusCode).toBe(400);
  });

  it('without an inbound token configured the route does not exist', async () => {
    const closed = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883', messaging: { messages: ledger.messaging, inboundToken: null } });
    try {
      const answer = await closed.inject({ method: 'POST', url: '/api/messaging/sms-inbound', headers: { authorization: `Bearer ${INBOUND_TOKEN}` }, payload: { phone: '13800138001', text: 'T' } });
      expect(answer.statusCode).toBe(404);
      expect(answer.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    } finally {
      await closed.close();
    }
  });

  it('lists the records to HQ and in-scope region managers, phones masked; other roles and scopes refused', async () => {
    const list = (who: keyof typeof auth, query = '') => app.inject({ method: 'GET', url: `/api/messaging/messages${query}`, headers: auth[who] });
    const all = await list('admin');
    expect(all.statusCode).toBe(200);
    const body = all.json<{ messages: { idempotencyKey: string; phoneMasked: string | null; recipient: { memberId?: string } }[]; next: string | null }>();
    expect(body.messages.map((m) => m.idempotencyKey)).toEqual(['expiry:M0001', 'campaign-2:M0001', 'campaign-1:M0001']);
    expect(body.messages[0]).toMatchObject({ phoneMasked: '*******8001', status: 'sent', purpose: 'service', channel: 'sms' });
    expect(all.body).not.toContain('13800138001');
    expect(body.next).toBeNull();

    const paged = (await list('admin', '?limit=2')).json<{ messages: { idempotencyKey: string }[]; next: string }>();
    expect(paged.messages.map((m) => m.idempotencyKey)).toEqual(['expiry:M0001', 'campaign-2:M0001']);
    expect((await list('admin', `?limit=2&before=${paged.next}`)).json<{ messages: { idempotencyKey: string }[] }>().messages.map((m) => m.idempotencyKey)).toEqual(['campaign-1:M0001']);

    expect((await list('region', '?memberId=M0001')).json<{ messages: unknown[] }>().messages).toHaveLength(3);
    expect((await list('region')).json<{ messages: unknown[] }>().messages).toHaveLength(3);
    expect((await list('otherRegion')).json()).toEqual({ messages: [], next: null });
    expect((await list('otherRegion', '?memberId=M0001')).statusCode).toBe(404);
    expect((await list('manager')).statusCode).toBe(403);
    expect((await list('cashier')).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/messaging/messages' })).statusCode).toBe(401);
    expect((await list('admin', '?limit=0')).statusCode).toBe(400);
  });
});
