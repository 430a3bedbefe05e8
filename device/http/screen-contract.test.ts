/**
 * What the kiosk screen relies on beyond the session (issue 13, parts 3–5), over the kiosk's HTTP API and its
 * event stream, with the real drivers: a serial card reader on a socat pty (unplugged = socat ended) and an
 * ESC/POS printer over TCP to drivers/testing's fake network printer (it decodes what it gets and answers DLE EOT
 * from a paper state the test sets: the printer hardware is the one part faked). The hub is played by the fake hub
 * over a real embedded broker (staff sign-in included); e2e/kiosk-hub/technician.e2e.test.ts runs technician mode
 * against the real hub.
 *
 * - the session countdown: activity extends it, and without activity it ends with no member data pushed;
 * - honest hardware, pushed: reader missing, printer out of paper;
 * - a receipt is printed now or not at all, never later for a stranger; staff reprint it on purpose;
 * - "can't check this card right now" is not "unknown card";
 * - technician mode: diagnostics and a test print, for technicians only.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { qrPayload } from '../../drivers/testing/escpos-decoder.ts';
import { FakeTcpPrinter } from '../../drivers/testing/fake-printer.ts';
import { SocatPtyPair } from '../../drivers/testing/socat-pty-pair.ts';
import { createKioskApp, type KioskApp } from '../app/kiosk-app.ts';
import { createMemberPin } from '../app/member-pin.ts';
import { createStaffSignIn } from '../app/staff-sign-in.ts';
import { keepCacheFresh } from '../cache/keep-cache-fresh.ts';
import { openMemberCache, type MemberCache } from '../cache/member-cache.ts';
import { buildHardware, describeHardware, type Hardware } from '../hardware/build-hardware.ts';
import { createHubLink, type HubLink } from '../link/hub-link.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import { createKioskSession, type KioskSession } from '../session/kiosk-session.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { startTestBroker, type TestBroker } from '../test-support/embedded-broker.ts';
import { openEventStream, type EventStreamClient, type ReceivedEvent } from '../test-support/event-stream-client.ts';
import { startFakeHub, type FakeHub } from '../test-support/fake-hub.ts';
import { makeMember } from '../test-support/members.ts';
import { CASHIER_SESSION, MANAGER_SESSION, TEST_STAFF_CARD, TEST_STAFF_PIN } from '../test-support/staff-sessions.ts';
import { eventually, makeTempDir } from '../test-support/temp-dir.ts';
import { createTransactionFactory } from '../tx/transaction-factory.ts';
import { buildApp } from './build-app.ts';

const CARD = '04A1B2C3D4';
const OTHER_CARD = '04A1B2C3D5';
const CASHIER_CARD = '5AFF0002';
const TECH_CARD = '5AFF0003';
const PIN = TEST_STAFF_PIN;
const TECHNICIAN: StaffSessionView = { ...CASHIER_SESSION, sessionId: 'sess-tech-0000000001', staffId: 'staff-9', name: 'Tek Nician', role: 'technician', mayDo: [] };
const MEMBER_MS = 1_500;
const PRINT_WINDOW_MS = 1_000;
/** How the test hub is named to technicians: with a login in it, which must never reach the screen. */
const HUB_URL_WITH_LOGIN = 'mqtts://kiosk-1:s3cret-pass@hub.example:8883';

interface SessionData {
  session: { name: string; code?: string; expiresAt: string | null; version: number; txId?: string; print?: { status: string; code: string | null } };
}
interface HardwareData {
  reader: { status: string; code: string | null };
  printer: { status: string; code: string | null };
}

const sessionOf = (event: ReceivedEvent) => (event.data as SessionData).session;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the kiosk screen contract on the real drivers', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let broker: TestBroker;
  let fakeHub: FakeHub;
  let outbox: Outbox;
  let cache: MemberCache;
  let link: HubLink;
  let session: KioskSession;
  let hardware: Hardware;
  let kiosk: KioskApp;
  let app: FastifyInstance;
  let pty: SocatPtyPair;
  let cardEnd: number | null;
  let printer: FakeTcpPrinter;
  let stream: EventStreamClient | null;

  beforeEach(async () => {
    temp = makeTempDir();
    broker = await startTestBroker();
    fakeHub = await startFakeHub({
      url: broker.url,
      members: new Map([[CARD, makeMember(CARD)]]),
      staff: new Map([
        [TEST_STAFF_CARD, { pin: PIN, session: MANAGER_SESSION }],
        [CASHIER_CARD, { pin: PIN, session: CASHIER_SESSION }],
        [TECH_CARD, { pin: PIN, session: TECHNICIAN }],
      ]),
      decide: (tx) =>
        tx.kind === 'purchase'
          ? { status: 'applied', outcome: { kind: 'purchase', memberId: 'M-1', cardUid: tx.cardUid, tier: 'gold', balances: { storedValueCents: 12_000, bonusValueCents: 500, points: 803 }, pointsEarned: 3, pointsSpent: 0, valueDeltaCents: -345, trace: ['base 1/yuan'] } }
          : { status: 'applied' },
    });
    const logger = createCaptureLogger().logger;
    const path = join(temp.dir, 'device.sqlite');
    const factory = createTransactionFactory({ deviceId: 'kiosk-1', storeId: 'store-1', bundleVersion: () => 1 });
    outbox = openOutbox({ path, deviceId: 'kiosk-1', logger, factory });
    cache = openMemberCache({ path, logger });
    link = createHubLink({ url: broker.url, deviceId: 'kiosk-1', outbox, topics: createTopics(), logger, clientOptions: { reconnectPeriod: 100 }, stallResendMs: 500 });
    keepCacheFresh(link, cache);

    pty = new SocatPtyPair('screen-reader');
    await pty.start();
    cardEnd = openSync(pty.devicePath, 'r+');
    printer = new FakeTcpPrinter();
    await printer.listen();
    const hardwareConfig = {
      reader: { kind: 'serial', path: pty.driverPath, baudRate: 9600, framing: 'lines' },
      printer: { kind: 'tcp', host: '127.0.0.1', port: printer.port },
      paperWidthMm: 58,
    };
    hardware = buildHardware(hardwareConfig, logger, { printWindowMs: PRINT_WINDOW_MS });
    const { cardSource, receiptSink } = hardware;
    session = createKioskSession({ lookup: (req, ms) => link.lookup(req, ms), cache, logger, timeouts: { lookupMs: 500, memberMs: MEMBER_MS } });
    session.attach(cardSource);
    await cardSource.start();
    await receiptSink.start();
    kiosk = createKioskApp({
      mode: () => 'unattended',
      staff: createStaffSignIn({ session, lookup: (req, ms) => link.lookup(req, ms), changed: () => kiosk.events.staffChanged(kiosk.staffSession()) }),
      memberPin: createMemberPin({ lookup: (req, ms) => link.lookup(req, ms), bundle: () => null, staff: () => null }),
      session,
      factory,
      outbox,
      link,
      rules: { bundle: () => null, version: () => 1, refresh: async () => false },
      receipts: receiptSink,
      receiptContext: () => ({ header: ['STORE ONE'], footer: ['bye'], store: 'store-1', deviceId: 'kiosk-1', paperWidthMm: 58, language: 'en' }),
      identity: () => ({ deviceId: 'kiosk-1', storeId: 'store-1' }),
      drivers: () => ({ cardReader: cardSource.health(), printer: receiptSink.health() }),
      healthSources: [cardSource, receiptSink],
      technician: {
        softwareVersion: '9.9.9-test',
        enrolment: () => ({ hubUrl: HUB_URL_WITH_LOGIN, since: '2026-01-01T00:00:00.000Z' }),
        clock: () => ({ skewMs: 42, measuredAt: '2026-01-01T00:00:01.000Z' }),
        hardware: () => describeHardware(hardwareConfig),
      },
      logger,
      tuning: { resultWaitMs: 1500, linkCheckMs: 100 },
    });
    app = buildApp({ kiosk, logger });
    await link.start();
    stream = null;
  });

  afterEach(async () => {
    stream?.close();
    await app.close();
    kiosk.stop();
    session.stop();
    await hardware.cardSource.stop();
    await hardware.receiptSink.stop();
    await link.stop();
    await fakeHub.stop();
    await broker.stop();
    if (cardEnd !== null) closeSync(cardEnd);
    await pty.dispose();
    await printer.close();
    outbox.close();
    cache.close();
    temp.cleanup();
  });

  const post = (url: string, payload: object = {}) => app.inject({ method: 'POST', url, payload });
  const get = (url: string) => app.inject({ method: 'GET', url });
  const state = async () => (await get('/api/state')).json<{ hardware: HardwareData; simulatedReader: boolean }>();

  /** Listens to the event stream over real HTTP (inject cannot stream). */
  async function listen(): Promise<EventStreamClient> {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    stream = await openEventStream(`${base}/api/events`);
    return stream;
  }

  /** A card presented to the serial reader, as the reader hardware sends it; resolves once the look-up settled. */
  async function tap(uid: string, expected: string): Promise<void> {
    if (cardEnd === null) throw new Error('the reader is unplugged');
    writeSync(cardEnd, `${uid}\r\n`);
    await eventually(() => session.view().name === expected && session.state().name === expected, `${expected} after tapping ${uid}`, 5_000);
  }

  async function signIn(card: string): Promise<void> {
    await tap(card, 'error');
    expect(session.view()).toMatchObject({ code: 'CARD_IS_STAFF' });
    expect((await post('/api/staff/sign-in', { pin: PIN })).statusCode).toBe(200);
  }

  it('extends the member session on activity past its first expiry; without activity it ends, and the idle view pushed holds no member data', async () => {
    const events = await listen();
    expect((await post('/api/session/activity')).json()).toEqual({ expiresAt: null });
    await tap(CARD, 'member');
    const firstExpiry = Date.parse(session.view().expiresAt!);
    const from = events.events.length;
    // Someone keeps touching the screen (the screen says so at most every 5 s; faster here, the timeout is short).
    let last = firstExpiry;
    while (Date.now() < firstExpiry + 500) {
      await pause(400);
      const answer = (await post('/api/session/activity')).json<{ expiresAt: string }>();
      expect(Date.parse(answer.expiresAt)).toBeGreaterThan(last);
      last = Date.parse(answer.expiresAt);
    }
    expect(session.view().name).toBe('member');
    // Each extension is pushed: the screen's countdown follows the stream.
    await events.waitFor((e) => e.type === 'session' && sessionOf(e).expiresAt === new Date(last).toISOString(), 'the last extension pushed', { from });
    const pushed = events.events.slice(from).filter((e) => e.type === 'session').map(sessionOf);
    expect(pushed.length).toBeGreaterThan(2);
    expect(pushed.every((s) => s.name === 'member')).toBe(true);

    // Nobody touches it any more: it ends by itself, and what the screen is pushed then says nothing of the member.
    const idle = await events.waitFor((e) => e.type === 'session' && sessionOf(e).name === 'idle', 'idle after the member left', { from, timeoutMs: MEMBER_MS + 2_000 });
    expect(Date.now()).toBeGreaterThan(last - 50);
    const text = JSON.stringify(idle.data);
    for (const leak of ['Ada Member', '1234', CARD, CARD.slice(-4), 'balances', 'storedValueCents', 'points', 'member', 'history']) expect(text).not.toContain(leak);
    expect((await post('/api/session/activity')).json()).toEqual({ expiresAt: null });
  });

  it('pushes the reader and printer state first and as it changes: reader unplugged and back, printer out of paper', async () => {
    const events = await listen();
    const first = await events.waitFor((e) => e.type === 'hardware', 'the hardware state on subscribe');
    expect(events.events.slice(0, 3).map((e) => e.type)).toEqual(['session', 'link', 'hardware']);
    expect(first.data).toEqual({ reader: { status: 'ready', code: null }, printer: { status: 'ready', code: null } });
    expect(await state()).toMatchObject({ hardware: first.data, simulatedReader: false });

    // Unplugged: the port goes away under the driver.
    let from = events.events.length;
    closeSync(cardEnd!);
    cardEnd = null;
    await pty.stop();
    const missing = await events.waitFor((e) => e.type === 'hardware' && (e.data as HardwareData).reader.status !== 'ready', 'the reader missing', { from });
    expect(missing.data).toEqual({ reader: { status: 'missing', code: 'READER_MISSING' }, printer: { status: 'ready', code: null } });
    expect((await state()).hardware.reader).toEqual({ status: 'missing', code: 'READER_MISSING' });

    from = events.events.length;
    await pty.start();
    cardEnd = openSync(pty.devicePath, 'r+');
    await events.waitFor((e) => e.type === 'hardware' && (e.data as HardwareData).reader.status === 'ready', 'the reader back', { from, timeoutMs: 10_000 });
    await tap(CARD, 'member');

    from = events.events.length;
    printer.state.paperOut = true;
    const paperOut = await events.waitFor((e) => e.type === 'hardware' && (e.data as HardwareData).printer.status !== 'ready', 'the printer out of paper', { from, timeoutMs: 5_000 });
    expect(paperOut.data).toEqual({ reader: { status: 'ready', code: null }, printer: { status: 'paper_out', code: 'PRINTER_PAPER_OUT' } });
    // Pushed once per change, not once per status poll.
    await pause(2_500);
    expect(events.events.slice(from).filter((e) => e.type === 'hardware')).toHaveLength(1);
  });

  it('out of paper, a receipt is not printed and says so; paper back, nothing prints by itself; staff reprint it on purpose', async () => {
    const events = await listen();
    printer.state.paperOut = true;
    await eventually(() => hardware.receiptSink.health().paperOut, 'paper out seen by the driver', 5_000);
    await tap(CARD, 'member');
    const from = events.events.length;
    const bought = await post('/api/tx/purchase', { lines: [{ sku: 'COFFEE', category: 'drinks', qty: 1, unitPriceCents: 345 }], payments: [{ method: 'stored_value', amountCents: 345 }] });
    // The transaction is unaffected: the hub applied it.
    expect(bought.json()).toMatchObject({ status: 'applied' });
    const txId = bought.json<{ id: string }>().id;
    const notPrinted = await events.waitFor((e) => e.type === 'session' && sessionOf(e).print?.status === 'not_printed', 'the receipt not printed', { from });
    expect(sessionOf(notPrinted)).toMatchObject({ name: 'receipt', txId, print: { status: 'not_printed', code: 'PRINTER_PAPER_OUT' } });
    expect((await get(`/api/tx/${txId}`)).json()).toMatchObject({ status: 'done', result: { status: 'applied' } });

    // Paper back: the member has gone; nothing comes out for whoever stands there now.
    printer.state.paperOut = false;
    await events.waitFor((e) => e.type === 'hardware' && (e.data as HardwareData).printer.status === 'ready', 'paper back', { from, timeoutMs: 5_000 });
    await pause(PRINT_WINDOW_MS + 2_500);
    expect(printer.decoder.events.filter((e) => e.kind === 'cut')).toHaveLength(0);
    expect(hardware.receiptSink.health().queueDepth).toBe(0);

    // Only a signed-in staff member reprints, and only a receipt of this kiosk's recent ones.
    expect((await post('/api/staff/reprint', { txId })).json()).toMatchObject({ error: { code: 'STAFF_SESSION_REQUIRED' } });
    await signIn(TEST_STAFF_CARD);
    const unknown = await post('/api/staff/reprint', { txId: 'not-a-receipt-of-this-kiosk' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'RECEIPT_NOT_FOUND' } });
    expect((await post('/api/staff/reprint', {})).statusCode).toBe(400);
    const reprint = await post('/api/staff/reprint', { txId });
    expect(reprint.statusCode).toBe(200);
    expect(reprint.json()).toEqual({ txId, print: { status: 'printed', code: null } });
    await printer.waitForCut(1);
    expect(qrPayload(printer.decoder.events)).toBe(txId);
    expect(printer.decoder.lines().map((l) => l.text)).toContain('REPRINT - NOT A NEW TRANSACTION');
  });

  it('says CARD_UNKNOWN (and offers registration) only on the hub\'s word; an uncached card while the hub is silent is CARD_CHECK_UNAVAILABLE', async () => {
    await tap(OTHER_CARD, 'error');
    expect(session.view()).toMatchObject({ code: 'CARD_UNKNOWN', offline: false });
    expect((await post('/api/session/register')).json()).toMatchObject({ session: { name: 'register' } });
    await post('/api/session/reset');

    fakeHub.setAnswerLookups(false);
    await tap('04A1B2C3D6', 'error');
    expect(session.view()).toMatchObject({ code: 'CARD_CHECK_UNAVAILABLE', offline: true });
    const register = await post('/api/session/register');
    expect(register.statusCode).toBe(409);
    expect(register.json()).toMatchObject({ error: { code: 'REGISTER_NOT_OFFERED' } });
  });

  it('shows the diagnostics and prints a test page for a technician only', async () => {
    for (const [method, url] of [['GET', '/api/technician/diagnostics'], ['POST', '/api/technician/test-print']] as const) {
      const nobody = await app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
      expect([nobody.statusCode, nobody.json<{ error: { code: string } }>().error.code]).toEqual([401, 'STAFF_SESSION_REQUIRED']);
    }
    await signIn(CASHIER_CARD);
    const cashier = await get('/api/technician/diagnostics');
    expect([cashier.statusCode, cashier.json<{ error: { code: string } }>().error.code]).toEqual([403, 'STAFF_UNAUTHORIZED']);
    expect((await post('/api/technician/test-print')).statusCode).toBe(403);
    await post('/api/staff/sign-out');
    await pause(700); // the reader takes a card held for 600 ms as one tap: another card is another tap anyway

    await signIn(TECH_CARD);
    const answer = await get('/api/technician/diagnostics');
    expect(answer.statusCode).toBe(200);
    const diagnostics = answer.json();
    expect(diagnostics).toMatchObject({
      deviceId: 'kiosk-1',
      storeId: 'store-1',
      softwareVersion: '9.9.9-test',
      enrolled: { hubUrl: 'mqtts://***@hub.example:8883', since: '2026-01-01T00:00:00.000Z' },
      clock: { skewMs: 42 },
      connectivity: { connected: true },
      outbox: { depth: 0, oldestPending: null },
      config: { bundleVersion: 1, snapshotVersion: null, lastRefusal: null },
      hardware: {
        reader: { kind: 'serial', connected: true, model: 'serial', port: `serial:${pty.driverPath}`, state: { status: 'ready', code: null } },
        printer: { kind: 'tcp', connected: true, online: true, model: 'tcp', port: `tcp://127.0.0.1:${printer.port}`, paper: { widthMm: 58, state: 'ok' }, state: { status: 'ready', code: null } },
      },
    });
    expect(Array.isArray(diagnostics.recentErrors)).toBe(true);
    expect(JSON.stringify(diagnostics)).not.toContain('s3cret');

    const testPrint = await post('/api/technician/test-print');
    expect(testPrint.json()).toEqual({ print: { status: 'printed', code: null } });
    await printer.waitForCut(1);
    expect(qrPayload(printer.decoder.events)).toMatch(/^TEST-kiosk-1-\d{14}$/);
    const lines = printer.decoder.lines().map((l) => l.text);
    expect(lines).toContain('PRINTER TEST PAGE');
    expect(lines).toEqual(expect.arrayContaining(['Printer: tcp', `tcp://127.0.0.1:${printer.port}`]));

    // Out of paper, the test page says so and waits for nobody.
    printer.state.paperOut = true;
    await eventually(() => hardware.receiptSink.health().paperOut, 'paper out seen by the driver', 5_000);
    expect((await post('/api/technician/test-print')).json()).toEqual({ print: { status: 'not_printed', code: 'PRINTER_PAPER_OUT' } });
    const after = (await get('/api/technician/diagnostics')).json<{ hardware: { printer: { paper: { state: string } } }; recentErrors: { code: string }[] }>();
    expect(after.hardware.printer.paper.state).toBe('out');
    expect(after.recentErrors.map((e) => e.code)).toContain('PRINTER_PAPER_OUT');
  });
});
