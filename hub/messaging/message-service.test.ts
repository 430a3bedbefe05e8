/**
 * message.send on each real ledger back end — SQLite (a file, so a restart is a real reopen) and PostgreSQL (a
 * throwaway cluster, hub/testing/start-postgres.ts; a restart reopens the database) — with the demo members. The SMS
 * gateway is the recording FAKE where no relay can run, and the real HTTP client against a local relay where
 * failures are the point; the staff webhook is the real robot client against a local server. Shown: consent granted,
 * withdrawn and never given; service messages without consent; erased members and missing senders skipped; each key
 * sent once (twice in a row, at once, after a restart, after a crash mid-send); a gateway failure recorded and
 * answered, retried under its key only when the gateway refused it; the phone never stored in clear.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { createHttpSmsGateway } from './http-sms-gateway.ts';
import { createMessageService, UNSUBSCRIBE_SUFFIX, type MessageServiceDeps } from './message-service.ts';
import { createRecordingSmsGatewayFake, type RecordingSmsGatewayFake } from './recording-sms-gateway.ts';
import { createRobotWebhook } from './robot-webhook.ts';
import { SMS_MARKETING_PURPOSE } from './sqlite-messaging-store.ts';
import { startCapturingServer, type CapturingServer } from './test-support/capturing-server.ts';

const silent = pino({ level: 'silent' });
const M1_PHONE = '13800138001';

/** A ledger back end as these cases use it: where it lives, how it is (re)opened, its message records as stored. */
interface Backend {
  name: string;
  /** Makes the place the ledger lives in (a folder, a database). */
  prepare(): Promise<void>;
  open(): Promise<Ledger>;
  /** Every outbound_messages row, read past the ledger. */
  messageRows(): Promise<unknown[]>;
  dispose(): Promise<void>;
}

function sqliteBackend(): Backend {
  let dir = '';
  const path = () => join(dir, 'ledger.sqlite');
  return {
    name: 'SQLite',
    async prepare() {
      dir = mkdtempSync(join(tmpdir(), 'mk-messaging-'));
    },
    open: () => openLedger({ kind: 'sqlite', path: path(), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE }),
    async messageRows() {
      const db = new Database(path(), { readonly: true });
      try {
        return db.prepare('SELECT * FROM outbound_messages').all();
      } finally {
        db.close();
      }
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): Backend {
  let url = '';
  return {
    name: 'PostgreSQL',
    async prepare() {
      url = await freshMigratedPostgresDatabase('messaging');
    },
    open: () => openLedger({ kind: 'postgres', url, logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 }),
    async messageRows() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<Record<string, unknown>>('SELECT * FROM outbound_messages')).rows;
      } finally {
        await client.end();
      }
    },
    dispose: stopPostgres,
  };
}

describe.each([sqliteBackend(), postgresBackend()])('message.send (real $name ledger; recording SMS gateway FAKE, real HTTP relay and robot clients on loopback)', (backend) => {
  let ledger: Ledger;
  let sms: RecordingSmsGatewayFake;
  let relay: CapturingServer;
  let robot: CapturingServer;
  let keyN = 0;
  const key = () => `test-key-${++keyN}`;
  const open = () => backend.open();
  const service = (over: Partial<MessageServiceDeps> = {}) =>
    createMessageService({ store: ledger.messaging, sms, staffWebhook: null, storeName: async (id) => (id === DEMO_STORE_ID ? '演示店' : null), logger: silent, ...over });
  const consent = (memberId: string, granted: boolean) =>
    ledger.memberProfiles.addConsent({ memberId, purpose: SMS_MARKETING_PURPOSE, granted, at: new Date().toISOString(), staffId: 'test', note: null });
  const recorded = (idempotencyKey: string) => ledger.messaging.byKey(idempotencyKey);

  beforeAll(async () => {
    await backend.prepare();
    ledger = await open();
    await seedDemoData(ledger);
    relay = await startCapturingServer('/sms');
    robot = await startCapturingServer('/robot/send?key=k1');
  });
  afterAll(async () => {
    await relay.close();
    await robot.close();
    await ledger.close();
    await backend.dispose();
  });
  beforeEach(() => {
    sms = createRecordingSmsGatewayFake();
    relay.requests.length = 0;
    robot.requests.length = 0;
  });
  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
  });

  it('marketing goes only with granted consent: none → skipped, granted → sent with 回T退订, withdrawn → skipped', async () => {
    const send = (k: string) => service().send({ to: { memberId: 'M0002' }, purpose: 'marketing', text: '周末会员日，全场 9 折', idempotencyKey: k });
    const none = await send(key());
    expect(none.status).toBe('skipped-no-consent');
    expect(sms.sent).toEqual([]);
    expect(await recorded(`test-key-${keyN}`)).toMatchObject({ messageId: none.messageId, status: 'skipped-no-consent', recipient: { kind: 'member', memberId: 'M0002' }, attempts: 0 });

    await consent('M0002', true);
    const granted = await send(key());
    expect(granted.status).toBe('sent');
    expect(sms.sent).toEqual([expect.objectContaining({ phone: '13800138002', text: `周末会员日，全场 9 折 ${UNSUBSCRIBE_SUFFIX}` })]);
    expect(await recorded(`test-key-${keyN}`)).toMatchObject({ status: 'sent', channel: 'sms', phoneMasked: '*******8002', providerId: 'fake-1', attempts: 1, text: `周末会员日，全场 9 折 ${UNSUBSCRIBE_SUFFIX}` });

    await consent('M0002', false);
    expect((await send(key())).status).toBe('skipped-no-consent');
    expect(sms.sent).toHaveLength(1);
  });

  it('a skipped message is tried again under its key once consent is given; service messages need none', async () => {
    const k = key();
    const marketing = { to: { memberId: 'M0003' }, purpose: 'marketing', text: '新品上市', idempotencyKey: k } as const;
    const first = await service().send(marketing);
    expect(first.status).toBe('skipped-no-consent');
    await consent('M0003', true);
    expect(await service().send(marketing)).toEqual({ status: 'sent', messageId: first.messageId });
    await consent('M0003', false);
    const service_ = await service().send({ to: { memberId: 'M0003' }, purpose: 'service', text: '您的积分将于本月底到期', idempotencyKey: key() });
    expect(service_.status).toBe('sent');
    // A service message carries no unsubscribe line.
    expect(sms.sent.at(-1)).toMatchObject({ phone: '13800138003', text: '您的积分将于本月底到期' });
  });

  it('the same key is sent once: twice in a row, twice at once, and after a restart', async () => {
    const params = { to: { memberId: 'M0001' }, purpose: 'service', text: '生日快乐！送您 100 积分', idempotencyKey: 'birthday:M0001:2026' } as const;
    const first = await service().send(params);
    expect(first.status).toBe('sent');
    expect(await service().send(params)).toEqual({ status: 'already-sent', messageId: first.messageId });
    const racing = { ...params, idempotencyKey: 'race-1' };
    const both = await Promise.all([service().send(racing), service().send(racing)]);
    expect(both.map((a) => a.status).sort()).toEqual(['already-sent', 'sent']);
    expect(both[0].messageId).toBe(both[1].messageId);
    expect(sms.sent).toHaveLength(2);

    await ledger.close();
    ledger = await open();
    const restarted = createRecordingSmsGatewayFake();
    expect(await service({ sms: restarted }).send(params)).toEqual({ status: 'already-sent', messageId: first.messageId });
    expect(restarted.sent).toEqual([]);
  });

  it('a key left "sending" by a crash between the record and the gateway is never sent again (at most once)', async () => {
    const k = key();
    const claimed = await ledger.messaging.claim(
      { messageId: '01JZZZZZZZZZZZZZZZZZZZZZZZ', idempotencyKey: k, recipient: { kind: 'member', memberId: 'M0001' }, phoneMasked: '*******8001', purpose: 'service', channel: 'sms', text: 'x', status: 'sending', at: new Date().toISOString() },
      null,
    );
    expect(claimed).toBe(true);
    const answer = await service().send({ to: { memberId: 'M0001' }, purpose: 'service', text: 'x', idempotencyKey: k });
    expect(answer).toEqual({ status: 'already-sent', messageId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' });
    expect(sms.sent).toEqual([]);
  });

  it('a gateway failure is answered failed and recorded; a refusal may be retried under its key, an unknown outcome never', async () => {
    const gateway = createHttpSmsGateway({ url: relay.url, token: 'relay-token', signature: '【演示】', timeoutMs: 300 });
    const params = { to: { memberId: 'M0001' }, purpose: 'service', text: '您的储值余额不足 10 元', idempotencyKey: key() } as const;
    relay.answerWith({ status: 500 });
    const refused = await service({ sms: gateway }).send(params);
    expect(refused.status).toBe('failed');
    expect(await recorded(params.idempotencyKey)).toMatchObject({ status: 'failed', errorCode: 'SMS_GATEWAY_FAILED', retryable: true, sentAt: null });
    relay.answerWith({ status: 200, body: { providerId: 'tx-1' } });
    expect(await service({ sms: gateway }).send(params)).toEqual({ status: 'sent', messageId: refused.messageId });
    expect(await recorded(params.idempotencyKey)).toMatchObject({ status: 'sent', errorCode: null, providerId: 'tx-1', attempts: 2 });
    expect(relay.requests).toHaveLength(2);

    const unknown = { ...params, idempotencyKey: key() };
    relay.answerWith('hang');
    const timedOut = await service({ sms: gateway }).send(unknown);
    expect(timedOut.status).toBe('failed');
    expect(await recorded(unknown.idempotencyKey)).toMatchObject({ status: 'failed', errorCode: 'MESSAGE_OUTCOME_UNKNOWN', retryable: false });
    relay.answerWith({ status: 200 });
    expect(await service({ sms: gateway }).send(unknown)).toEqual({ status: 'failed', messageId: timedOut.messageId });
    expect(relay.requests).toHaveLength(3);
  });

  it("an erased member's messages keep their record but lose the text and the masked phone (PIPL)", async () => {
    const k = key();
    expect(await service().send({ to: { memberId: 'M0003' }, purpose: 'service', text: '张敏您好，您的积分将于月底到期', idempotencyKey: k })).toMatchObject({ status: 'sent' });
    expect((await recorded(k))?.text).toContain('张敏');
    await ledger.memberProfiles.erase('M0003', new Date().toISOString());
    const after = await recorded(k);
    expect(after).toMatchObject({ status: 'sent', idempotencyKey: k });
    expect(after?.text).not.toContain('张敏');
    expect(after?.phoneMasked ?? null).toBeNull();
  });

  it('store managers get the webhook with the store name first; no webhook, an erased member, no SMS gateway: skipped-no-contact', async () => {
    const webhook = createRobotWebhook({ url: robot.url });
    robot.answerWith({ status: 200, body: { errcode: 0, errmsg: 'ok' } });
    const toManagers = { to: { storeManagers: DEMO_STORE_ID }, purpose: 'service', text: '会员 M0004 已 90 天未到店', idempotencyKey: key() } as const;
    expect((await service({ staffWebhook: webhook }).send(toManagers)).status).toBe('sent');
    expect(robot.requests.map((r) => r.body)).toEqual([{ msgtype: 'text', text: { content: '【演示店】会员 M0004 已 90 天未到店' } }]);
    expect(await recorded(toManagers.idempotencyKey)).toMatchObject({ channel: 'webhook', recipient: { kind: 'store_managers', storeId: DEMO_STORE_ID }, phoneMasked: null });
    expect((await service().send({ ...toManagers, idempotencyKey: key() })).status).toBe('skipped-no-contact');
    await expect(service({ staffWebhook: webhook }).send({ ...toManagers, to: { storeManagers: 'store-nope' }, idempotencyKey: key() })).rejects.toMatchObject({ code: 'FLEET_UNKNOWN_STORE' });

    expect((await service({ sms: null }).send({ to: { memberId: 'M0004' }, purpose: 'service', text: 'x', idempotencyKey: key() })).status).toBe('skipped-no-contact');
    await consent('M0004', true);
    await ledger.memberProfiles.erase('M0004', new Date().toISOString());
    for (const purpose of ['service', 'marketing'] as const) {
      expect((await service().send({ to: { memberId: 'M0004' }, purpose, text: 'x', idempotencyKey: key() })).status).toBe('skipped-no-contact');
    }
    expect(sms.sent).toEqual([]);
    await expect(service().send({ to: { memberId: 'M9999' }, purpose: 'service', text: 'x', idempotencyKey: key() })).rejects.toMatchObject({ code: 'MEMBER_UNKNOWN' });
  });

  it('refuses bad params with MESSAGE_INVALID and a key reused for another member with IDEMPOTENCY_KEY_REUSED', async () => {
    const good = { to: { memberId: 'M0001' }, purpose: 'service', text: 'ok', idempotencyKey: 'k' };
    for (const bad of [
      { ...good, text: '' },
      { ...good, text: '   ' },
      { ...good, text: '字'.repeat(501) },
      { ...good, idempotencyKey: '' },
      { ...good, idempotencyKey: 'k'.repeat(129) },
      { ...good, purpose: 'spam' },
      { ...good, to: { memberId: 'M0001', storeManagers: DEMO_STORE_ID } },
      { ...good, to: {} },
      null,
    ]) {
      await expect(service().send(bad), JSON.stringify(bad)).rejects.toMatchObject({ code: 'MESSAGE_INVALID' });
    }
    expect(await service().send({ ...good, text: '字'.repeat(500), idempotencyKey: 'k'.repeat(128) })).toMatchObject({ status: 'sent' });
    await expect(service().send({ ...good, to: { memberId: 'M0002' }, idempotencyKey: 'k'.repeat(128) })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('never stores a phone number in clear', async () => {
    await service().send({ to: { memberId: 'M0001' }, purpose: 'service', text: '到店提醒', idempotencyKey: key() });
    const rows = await backend.messageRows();
    expect(rows.length).toBeGreaterThan(5);
    expect(JSON.stringify(rows)).not.toContain(M1_PHONE);
    expect(JSON.stringify(rows)).toContain('*******8001');
  });
});
