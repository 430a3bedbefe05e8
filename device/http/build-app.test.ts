import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskMode } from '../../core/ledger/types.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { createKioskApp, type KioskApp } from '../app/kiosk-app.ts';
import { createMemberPin } from '../app/member-pin.ts';
import { createStaffSignIn } from '../app/staff-sign-in.ts';
import { keepCacheFresh } from '../cache/keep-cache-fresh.ts';
import { openMemberCache, type MemberCache } from '../cache/member-cache.ts';
import { createHubLink, type HubLink } from '../link/hub-link.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import { createKioskSession, type KioskSession } from '../session/kiosk-session.ts';
import { buildHardware, type Hardware } from '../hardware/build-hardware.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { startTestBroker, type TestBroker } from '../test-support/embedded-broker.ts';
import { startFakeHub, type FakeHub } from '../test-support/fake-hub.ts';
import { openEventStream } from '../test-support/event-stream-client.ts';
import { makeMember } from '../test-support/members.ts';
import { eventually, makeTempDir } from '../test-support/temp-dir.ts';
import { createTransactionFactory } from '../tx/transaction-factory.ts';
import { buildApp } from './build-app.ts';
import { MANAGER_SESSION, TEST_STAFF_CARD, TEST_STAFF_PIN } from '../test-support/staff-sessions.ts';

const CARD = '04A1B2C3D4';
const STAFF = TEST_STAFF_CARD;
const PIN = TEST_STAFF_PIN;
const MANAGER = MANAGER_SESSION;
const managerActor = { staffId: MANAGER.staffId, sessionId: MANAGER.sessionId };

describe('kiosk HTTP app', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let broker: TestBroker | null;
  let fakeHub: FakeHub | null;
  let outbox: Outbox;
  let cache: MemberCache;
  let link: HubLink;
  let session: KioskSession;
  let hardware: Hardware;
  let kiosk: KioskApp;
  let app: FastifyInstance;
  let mode: KioskMode;

  async function startHub(port = 0): Promise<void> {
    broker = await startTestBroker(port);
    fakeHub = await startFakeHub({
      url: broker.url,
      members: new Map([[CARD, makeMember(CARD)]]),
      staff: new Map([[STAFF, { pin: PIN, session: MANAGER }]]),
      decide: (tx) =>
        tx.kind === 'purchase'
          ? {
              status: 'applied',
              outcome: { kind: 'purchase', memberId: 'M-1', cardUid: tx.cardUid, tier: 'gold', balances: { storedValueCents: 12_000, bonusValueCents: 500, points: 803 }, pointsEarned: 3, pointsSpent: 0, valueDeltaCents: -345, trace: ['base 1/yuan'] },
            }
          : { status: 'applied' },
    });
  }
  async function stopHub(): Promise<void> {
    await fakeHub?.stop();
    await broker?.stop();
    fakeHub = null;
    broker = null;
  }

  beforeEach(async () => {
    temp = makeTempDir();
    await startHub();
    const logger = createCaptureLogger().logger;
    const path = join(temp.dir, 'device.sqlite');
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => 1 });
    outbox = openOutbox({ path, deviceId: 'kiosk-1', logger, factory });
    cache = openMemberCache({ path, logger });
    link = createHubLink({ url: broker!.url, deviceId: 'kiosk-1', outbox, topics: createTopics(), logger, clientOptions: { reconnectPeriod: 100 }, stallResendMs: 500 });
    keepCacheFresh(link, cache);
    // The drivers' own simulated reader and printer, built through the driver registry as the demo builds them.
    hardware = buildHardware({ reader: { kind: 'simulated' }, printer: { kind: 'simulated' } }, logger);
    session = createKioskSession({ lookup: (req, ms) => link.lookup(req, ms), cache, logger, timeouts: { lookupMs: 500 } });
    session.attach(hardware.cardSource);
    await hardware.cardSource.start();
    await hardware.receiptSink.start();
    mode = 'unattended';
    kiosk = createKioskApp({
      mode: () => mode,
      staff: createStaffSignIn({ session, lookup: (req, ms) => link.lookup(req, ms) }),
      memberPin: createMemberPin({ lookup: (req, ms) => link.lookup(req, ms), bundle: () => null, staff: () => null }),
      session,
      factory,
      outbox,
      link,
      rules: { bundle: () => null, version: () => 1, refresh: async () => false },
      receipts: hardware.receiptSink,
      receiptContext: () => ({ header: ['STORE ONE'], footer: ['bye'], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'en' }),
      identity: () => ({ deviceId: 'kiosk-1', storeId: 'store-1' }),
      simulatedCards: hardware.simulatedCards,
      logger,
      tuning: { resultWaitMs: 1500, linkCheckMs: 100 },
    });
    app = buildApp({ kiosk, logger, simulatedReader: true });
    await link.start();
  });
  afterEach(async () => {
    await app.close();
    kiosk.stop();
    session.stop();
    await link.stop();
    await stopHub();
    outbox.close();
    cache.close();
    temp.cleanup();
  });

  const tap = (uid: string) => app.inject({ method: 'POST', url: '/api/sim/tap', payload: { uid } });
  const purchase = (body: object) => app.inject({ method: 'POST', url: '/api/tx/purchase', payload: body });
  const post = (url: string, payload: object = {}) => app.inject({ method: 'POST', url, payload });
  /** The manager taps their staff card (the screen asks for the PIN) and types it. */
  const signInStaff = async () => {
    expect((await tap(STAFF)).json()).toMatchObject({ session: { name: 'error', code: 'CARD_IS_STAFF' } });
    const res = await post('/api/staff/sign-in', { pin: PIN });
    expect(res.statusCode).toBe(200);
    return res;
  };
  const coffee = { lines: [{ sku: 'COFFEE', category: 'drinks', qty: 1, unitPriceCents: 345 }], payments: [{ method: 'stored_value', amountCents: 345 }] };

  it('serves the built kiosk screen (device/screen/dist), which listens to the event stream instead of polling', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('<html lang="zh-CN">');
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(res.body)?.[1];
    expect(script).toBeDefined();
    const bundle = await app.inject({ method: 'GET', url: script! });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['cache-control']).toContain('immutable');
    expect(bundle.body).toContain('/api/events');
    expect(bundle.body).toContain('请刷会员卡');
    expect(bundle.body).not.toMatch(/setInterval\([^)]*\/api\/session/);
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
  });

  it('pushes the session and the link state: the current ones first, then every change, the result once', async () => {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await openEventStream(`${base}/api/events`);
    try {
      expect(stream.contentType).toBe('text/event-stream; charset=utf-8');
      await stream.waitFor((e) => e.type === 'session', 'with the current session');
      expect(stream.events[0]).toMatchObject({ type: 'session', data: { session: { name: 'idle' }, receiptText: null } });
      await stream.waitFor((e) => e.type === 'link', 'with the link state');
      expect(stream.events[1]).toMatchObject({ type: 'link', data: { connected: true, outboxDepth: 0 } });

      let from = stream.events.length;
      await tap(CARD);
      await stream.waitFor((e) => e.type === 'session' && (e.data as { session: { name: string } }).session.name === 'member', 'member', { from });
      expect(stream.events.slice(from).map((e) => (e.data as { session: { name: string } }).session.name)).toEqual(['card', 'member']);

      from = stream.events.length;
      const bought = (await purchase(coffee)).json();
      const receipt = await stream.waitFor((e) => e.type === 'session' && (e.data as { session: { name: string } }).session.name === 'receipt', 'receipt', { from });
      expect(receipt.data).toMatchObject({ session: { name: 'receipt', txId: bought.id, status: 'applied', result: { status: 'applied', outcome: { pointsEarned: 3 } }, member: { balances: { storedValueCents: 12_000 } } } });
      expect((receipt.data as { receiptText: string }).receiptText).toContain(`[QR ${bought.id}]`);
      // The receipt, then the same receipt with what the paper did.
      await stream.waitFor((e) => e.type === 'session' && (e.data as { session: { print?: { status: string } } }).session.print?.status === 'printed', 'the receipt printed', { from });
      expect(stream.events.slice(from).filter((e) => e.type === 'session').map((e) => (e.data as { session: { name: string } }).session.name)).toEqual(['action', 'receipt', 'receipt']);
      expect(JSON.stringify(stream.events)).not.toContain(CARD);

    } finally {
      stream.close();
    }
  });

  it('pushes the link state as it changes: the hub gone, work waiting, the hub back and the work sent', async () => {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await openEventStream(`${base}/api/events`);
    type Link = { connected: boolean; outboxDepth: number };
    const linkIs = (want: Link) => (e: { type: string; data: unknown }) => e.type === 'link' && (e.data as Link).connected === want.connected && (e.data as Link).outboxDepth === want.outboxDepth;
    try {
      await stream.waitFor(linkIs({ connected: true, outboxDepth: 0 }), 'online, nothing waiting');
      await tap(CARD);
      const port = broker!.port;
      let from = stream.events.length;
      await stopHub();
      await stream.waitFor(linkIs({ connected: false, outboxDepth: 0 }), 'offline', { from });
      from = stream.events.length;
      expect((await purchase(coffee)).statusCode).toBe(202);
      await stream.waitFor(linkIs({ connected: false, outboxDepth: 1 }), 'one waiting to send', { from });
      from = stream.events.length;
      await startHub(port);
      await stream.waitFor(linkIs({ connected: true, outboxDepth: 0 }), 'back and drained', { from, timeoutMs: 10_000 });
      // Pushed only on change: nothing repeats while nothing moves.
      const settled = stream.events.length;
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(stream.events.slice(settled)).toEqual([]);
    } finally {
      stream.close();
    }
  });

  it('ends the event streams when the app closes, so stopping the kiosk never waits for a screen', async () => {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await openEventStream(`${base}/api/events`);
    await stream.waitFor((e) => e.type === 'link', 'the first events');
    expect(kiosk.events.listeners()).toBe(1);
    const started = Date.now();
    await app.close();
    await stream.ended;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(kiosk.events.listeners()).toBe(0);
  });

  it('shows the member the hub returns after a tap, and the state of the link', async () => {
    const res = await tap(CARD);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ session: { name: 'member', source: 'hub', offline: false, member: { name: 'Ada Member', tier: 'gold', balances: { storedValueCents: 12_345 } } } });
    const session2 = (await app.inject({ method: 'GET', url: '/api/session' })).json();
    expect(session2.session.name).toBe('member');
    expect(JSON.stringify(session2)).not.toContain(CARD);
    const state = (await app.inject({ method: 'GET', url: '/api/state' })).json();
    expect(state).toMatchObject({ deviceId: 'kiosk-1', connected: true, outboxDepth: 0, bundleVersion: 1, mode: 'unattended', staff: null });
  });

  it('falls back to the cached member, marked offline, when the hub is gone', async () => {
    await tap(CARD);
    await app.inject({ method: 'POST', url: '/api/session/reset' });
    await stopHub();
    await eventually(() => !link.isConnected(), 'link noticed the broker is gone');
    const res = await tap(CARD);
    expect(res.json()).toMatchObject({ session: { name: 'member', source: 'cache', offline: true, member: { name: 'Ada Member' } } });
    const unknown = await tap('DEADBEEF');
    // Not cached and the hub away: it cannot be checked, which is not "unknown" (that is the hub's word only).
    expect(unknown.json()).toMatchObject({ session: { name: 'error', code: 'CARD_CHECK_UNAVAILABLE', offline: true } });
  });

  it('applies a purchase online, closes the outbox entry and shows the receipt', async () => {
    await tap(CARD);
    const res = await purchase(coffee);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ seq: 1, status: 'applied', result: { status: 'applied', outcome: { pointsEarned: 3 } } });
    const tx = (await app.inject({ method: 'GET', url: `/api/tx/${body.id}` })).json();
    expect(tx).toMatchObject({ id: body.id, status: 'done', result: { status: 'applied' } });
    const view = (await app.inject({ method: 'GET', url: '/api/session' })).json();
    expect(view.session).toMatchObject({ name: 'receipt', status: 'applied', member: { balances: { storedValueCents: 12_000 } } });
    expect(view.session.receipt).toMatchObject({ txId: body.id, lines: [{ name: 'COFFEE', qty: 1, totalCents: 345 }], pointsEarned: 3, ruleTrace: ['base 1/yuan'] });
    expect(view.receiptText).toMatch(/1 x 3\.45 +3\.45/);
    expect(view.receiptText).toContain(`[QR ${body.id}]`);
    expect(view.receiptSvg).toContain(`data-qr="${body.id}"`);
    expect(JSON.stringify(view)).not.toContain(CARD);
    expect(fakeHub!.applied).toEqual([body.id]);
  });

  it('queues a purchase while offline and applies it when the link comes back', async () => {
    await tap(CARD);
    const port = broker!.port;
    await stopHub();
    await eventually(() => !link.isConnected(), 'link noticed the broker is gone');
    const res = await purchase(coffee);
    expect(res.statusCode).toBe(202);
    const { id, status } = res.json();
    expect(status).toBe('queued');
    expect((await app.inject({ method: 'GET', url: '/api/state' })).json()).toMatchObject({ connected: false, outboxDepth: 1 });
    expect((await app.inject({ method: 'GET', url: `/api/tx/${id}` })).json()).toMatchObject({ status: 'pending', result: null });
    await startHub(port);
    await eventually(() => outbox.get(id)?.status === 'done', 'queued purchase applied after reconnect');
    expect((await app.inject({ method: 'GET', url: `/api/tx/${id}` })).json()).toMatchObject({ status: 'done', result: { status: 'applied' } });
    expect(fakeHub!.applied).toEqual([id]);
    // The cached view picked up the balances the hub reported for the late result.
    expect(cache.get(CARD)?.member.balances.storedValueCents).toBe(12_000);
  });

  it('takes top-ups and card operations only inside a staff session, for the card on screen, naming the staff actor', async () => {
    await tap(CARD);
    // No staff member signed in: refused, nothing queued.
    const alone = await post('/api/tx/top-up', { amountCents: 5000, tender: 'bank_card' });
    expect({ status: alone.statusCode, code: alone.json().error?.code }).toEqual({ status: 401, code: 'STAFF_SESSION_REQUIRED' });
    const freezeAlone = await post('/api/tx/card/freeze');
    expect({ status: freezeAlone.statusCode, code: freezeAlone.json().error?.code }).toEqual({ status: 401, code: 'STAFF_SESSION_REQUIRED' });
    expect(outbox.nextSeq()).toBe(1);

    // A wrong PIN opens nothing; the right one opens the hub's session, shown in the state.
    await app.inject({ method: 'POST', url: '/api/session/reset' });
    await tap(STAFF);
    const wrong = await post('/api/staff/sign-in', { pin: '0000' });
    expect({ status: wrong.statusCode, code: wrong.json().error?.code }).toEqual({ status: 401, code: 'STAFF_PIN_WRONG' });
    expect((await app.inject({ method: 'GET', url: '/api/staff' })).json()).toEqual({ staff: null });
    expect((await signInStaff()).json()).toEqual({ staff: MANAGER });
    expect((await app.inject({ method: 'GET', url: '/api/state' })).json()).toMatchObject({ mode: 'unattended', staff: { staffId: 'staff-3', role: 'store_manager' } });

    await tap(CARD);
    const topUp = await post('/api/tx/top-up', { amountCents: 5000, tender: 'bank_card' });
    expect(topUp.json()).toMatchObject({ status: 'applied', seq: 1 });
    expect(JSON.parse(outbox.get(topUp.json().id)!.payload)).toMatchObject({ kind: 'top_up', cardUid: CARD, amountCents: 5000, actor: managerActor });
    const freeze = await post('/api/tx/card/freeze');
    expect(freeze.json()).toMatchObject({ status: 'applied', seq: 2 });
    const stored = JSON.parse(outbox.get(freeze.json().id)!.payload);
    expect(stored).toMatchObject({ kind: 'card_freeze', cardUid: CARD, actor: managerActor, deviceId: 'kiosk-1', storeId: 'store-1' });
    expect(stored).not.toHaveProperty('staffCardUid');
    expect(fakeHub!.applied).toEqual([topUp.json().id, freeze.json().id]);

    // Signed out: staff actions are refused again.
    expect((await post('/api/staff/sign-out')).json()).toEqual({ staff: null });
    const after = await post('/api/tx/top-up', { amountCents: 5000, tender: 'bank_card' });
    expect({ status: after.statusCode, code: after.json().error?.code }).toEqual({ status: 401, code: 'STAFF_SESSION_REQUIRED' });
    expect(outbox.nextSeq()).toBe(3);
  });

  it('acts only for the card on its reader: a body naming a card or a staff member changes nothing', async () => {
    await signInStaff();
    await tap(CARD);
    const depth = outbox.depth();
    const attempts = [
      purchase({ ...coffee, cardUid: 'ABCD1234' }),
      post('/api/tx/redeem-gift', { cardUid: 'ABCD1234', giftSku: 'MUG', qty: 1 }),
      post('/api/tx/card/report-loss', { cardUid: 'ABCD1234' }),
      post('/api/tx/card/replace', { cardUid: 'ABCD1234', newCardUid: 'ABCD9999' }),
      post('/api/tx/top-up', { amountCents: 5000, tender: 'bank_card', staffCardUid: '5AFF0002' }),
      post('/api/tx/top-up', { amountCents: 5000, tender: 'bank_card', actor: { staffId: 'staff-hq', sessionId: 'sess-forged-0000000000' } }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 403, code: 'CARD_NOT_ON_READER' });
    }
    expect(outbox.depth()).toBe(depth);
    expect(outbox.nextSeq()).toBe(1);
    expect(fakeHub!.received).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/session' })).json().session.name).toBe('member');
  });

  it('takes a credit repayment (赊账还款) with staff signed in; offline, credit repayments and sales are refused and nothing is queued', async () => {
    await signInStaff();
    await tap(CARD);
    const repaid = await post('/api/tx/credit/repay', { amountCents: 5000, tender: 'bank_card' });
    expect(repaid.json()).toMatchObject({ status: 'applied', seq: 1 });
    expect(JSON.parse(outbox.get(repaid.json().id)!.payload)).toMatchObject({ kind: 'credit_repay', cardUid: CARD, amountCents: 5000, tender: 'bank_card', actor: managerActor });
    await stopHub();
    await eventually(() => !link.isConnected(), 'link noticed the broker is gone');
    const offline = [await post('/api/tx/credit/repay', { amountCents: 5000, tender: 'bank_card' }), await purchase({ ...coffee, payments: [{ method: 'credit', amountCents: 345 }] })];
    for (const res of offline) expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 503, code: 'HUB_REQUIRED' });
    expect(outbox.nextSeq()).toBe(2);
  });

  it('takes no cash on an unattended kiosk, and takes it on an attended one', async () => {
    await signInStaff();
    await tap(CARD);
    const cashCoffee = { ...coffee, payments: [{ method: 'cash', amountCents: 345 }] };
    for (const res of [await purchase(cashCoffee), await post('/api/tx/top-up', { amountCents: 5000, tender: 'cash' })]) {
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 403, code: 'TENDER_NOT_ALLOWED' });
    }
    expect(outbox.nextSeq()).toBe(1);
    mode = 'attended';
    expect((await app.inject({ method: 'GET', url: '/api/state' })).json()).toMatchObject({ mode: 'attended' });
    expect((await purchase(cashCoffee)).json()).toMatchObject({ status: 'applied', seq: 1 });
    await app.inject({ method: 'POST', url: '/api/session/reset' });
    await tap(CARD);
    const topUp = await post('/api/tx/top-up', { amountCents: 5000, tender: 'cash' });
    expect(topUp.json()).toMatchObject({ status: 'applied', seq: 2 });
    expect(JSON.parse(outbox.get(topUp.json().id)!.payload)).toMatchObject({ tender: 'cash', actor: managerActor });
  });

  it('answers only requests naming this kiosk in their Host header (no DNS rebinding)', async () => {
    await tap(CARD);
    for (const host of ['evil.example', 'evil.example:80', '127.0.0.1.evil.example', 'localhost.evil.example']) {
      const res = await app.inject({ method: 'POST', url: '/api/tx/purchase', headers: { host }, payload: coffee });
      expect({ host, status: res.statusCode, code: res.json().error?.code }).toEqual({ host, status: 403, code: 'HOST_NOT_ALLOWED' });
      const read = await app.inject({ method: 'GET', url: '/api/state', headers: { host } });
      expect(read.statusCode).toBe(403);
    }
    expect(outbox.nextSeq()).toBe(1);
    for (const host of ['localhost', 'localhost:8080', '127.0.0.1:3000', '[::1]:3000']) {
      expect((await app.inject({ method: 'GET', url: '/api/state', headers: { host } })).statusCode).toBe(200);
    }
    // A kiosk told its screen's own name serves that name too.
    const named = buildApp({ kiosk, logger: createCaptureLogger().logger, allowedHosts: ['kiosk-1.store.lan'] });
    try {
      expect((await named.inject({ method: 'GET', url: '/api/state', headers: { host: 'KIOSK-1.store.lan:8080' } })).statusCode).toBe(200);
      expect((await named.inject({ method: 'GET', url: '/api/state', headers: { host: 'localhost' } })).statusCode).toBe(403);
    } finally {
      await named.close();
    }
  });

  it('has no simulated tap without the simulated reader, and says so in /api/state (the screen offers its demo tap only then)', async () => {
    const real = buildApp({ kiosk, logger: createCaptureLogger().logger });
    try {
      const res = await real.inject({ method: 'POST', url: '/api/sim/tap', payload: { uid: CARD } });
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
      expect(session.view().name).toBe('idle');
      expect((await real.inject({ method: 'GET', url: '/api/state' })).json()).toMatchObject({ simulatedReader: false });
      expect((await app.inject({ method: 'GET', url: '/api/state' })).json()).toMatchObject({ simulatedReader: true });
    } finally {
      await real.close();
    }
  });

  it('records a count-card visit for the card on screen (/api/tx/punch) and prints its receipt title', async () => {
    await tap(CARD);
    const res = await app.inject({ method: 'POST', url: '/api/tx/punch', payload: { serviceId: 'car-wash' } });
    expect(res.json()).toMatchObject({ status: 'applied', seq: 1 });
    expect(JSON.parse(outbox.get(res.json().id)!.payload)).toMatchObject({ kind: 'punch_card_use', cardUid: CARD, serviceId: 'car-wash', deviceId: 'kiosk-1' });
    expect((await app.inject({ method: 'GET', url: '/api/session' })).json().receiptText).toContain('COUNT CARD VISIT');
  });

  it('makes one transaction per Idempotency-Key, answers a repeat with it, and finds it by the key', async () => {
    const headers = { 'idempotency-key': 'till-3/0001' };
    await tap(CARD);
    const first = await app.inject({ method: 'POST', url: '/api/tx/purchase', headers, payload: coffee });
    expect(first.statusCode).toBe(200);
    const again = await app.inject({ method: 'POST', url: '/api/tx/purchase', headers, payload: coffee });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, seq: 1, status: 'applied', replayed: true, result: { status: 'applied' } });
    expect(outbox.nextSeq()).toBe(2);
    expect(fakeHub!.applied).toEqual([first.json().id]);
    const other = await app.inject({ method: 'POST', url: '/api/tx/purchase', headers, payload: { ...coffee, lines: [{ ...coffee.lines[0], qty: 2 }], payments: [{ method: 'stored_value', amountCents: 690 }] } });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const byKey = await app.inject({ method: 'GET', url: `/api/tx/by-key/${encodeURIComponent('till-3/0001')}` });
    expect(byKey.json()).toMatchObject({ id: first.json().id, status: 'done', idempotencyKey: 'till-3/0001', result: { status: 'applied' } });
    const badKey = await app.inject({ method: 'POST', url: '/api/tx/purchase', headers: { 'idempotency-key': 'has space' }, payload: coffee });
    expect({ status: badKey.statusCode, code: badKey.json().error.code }).toEqual({ status: 400, code: 'IDEMPOTENCY_KEY_INVALID' });
    expect((await app.inject({ method: 'GET', url: '/api/tx/by-key/unknown' })).statusCode).toBe(404);
    expect(outbox.nextSeq()).toBe(2);
  });

  it('answers bad requests with coded 4xx errors and writes nothing', async () => {
    const cases: { res: Awaited<ReturnType<typeof tap>>; status: number; code: string }[] = [
      { res: await app.inject({ method: 'POST', url: '/api/tx/purchase', headers: { 'content-type': 'application/json' }, payload: '{not json' }), status: 400, code: 'BAD_REQUEST' },
      { res: await purchase({ ...coffee, lines: [] }), status: 400, code: 'BAD_REQUEST' },
      { res: await purchase(coffee), status: 409, code: 'SESSION_NO_CARD' },
      { res: await post('/api/staff/sign-in', { pin: '12ab' }), status: 400, code: 'BAD_REQUEST' },
      // No staff card on the reader: nothing to sign in with.
      { res: await post('/api/staff/sign-in', { pin: PIN }), status: 401, code: 'STAFF_CARD_UNKNOWN' },
      { res: await app.inject({ method: 'POST', url: '/api/quote', payload: { lines: coffee.lines } }), status: 409, code: 'SESSION_NO_CARD' },
      { res: await app.inject({ method: 'GET', url: '/api/catalog' }), status: 409, code: 'SESSION_NO_CARD' },
      { res: await app.inject({ method: 'POST', url: '/api/session/register' }), status: 409, code: 'REGISTER_NOT_OFFERED' },
      { res: await tap('xyz'), status: 400, code: 'BAD_REQUEST' },
      { res: await app.inject({ method: 'POST', url: '/api/tx/card/explode', payload: { cardUid: CARD } }), status: 404, code: 'NOT_FOUND' },
      { res: await app.inject({ method: 'GET', url: '/api/tx/01HZZZZZZZZZZZZZZZZZZZZZZZ' }), status: 404, code: 'TX_NOT_FOUND' },
      { res: await app.inject({ method: 'GET', url: '/api/nothing-here' }), status: 404, code: 'NOT_FOUND' },
      // With the member on the reader and a manager signed in, the body itself is wrong.
      { res: (await signInStaff(), await tap(CARD), await purchase({ lines: [{ sku: 'X', category: 'y', qty: 1, unitPriceCents: 1.5 }], payments: [{ method: 'stored_value', amountCents: 2 }] })), status: 400, code: 'TX_INVALID' },
      { res: await post('/api/tx/top-up', { amountCents: 0, tender: 'bank_card' }), status: 400, code: 'TX_INVALID' },
      // A replacement with no new card tapped on the reader (device/app/new-card-capture.ts) and none named by a till.
      { res: await post('/api/tx/card/replace', {}), status: 409, code: 'NEW_CARD_NOT_TAPPED' },
      // Refused by the framework before any route: a body over the limit, a content type it does not read.
      { res: await purchase({ ...coffee, note: 'x'.repeat(300 * 1024) }), status: 413, code: 'REQUEST_TOO_LARGE' },
      { res: await app.inject({ method: 'POST', url: '/api/tx/purchase', headers: { 'content-type': 'application/xml' }, payload: '<coffee/>' }), status: 415, code: 'REQUEST_MEDIA_TYPE_UNSUPPORTED' },
    ];
    for (const { res, status, code } of cases) {
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status, code });
      expect(typeof res.json().error.message).toBe('string');
    }
    expect(outbox.depth()).toBe(0);
    expect(outbox.nextSeq()).toBe(1);
  });
});
