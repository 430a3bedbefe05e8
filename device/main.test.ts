import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Transaction } from '../core/wire/transaction.ts';
import { createDevice, createDeviceLogger, type Device } from './main.ts';
import { startTestBroker, type TestBroker } from './test-support/embedded-broker.ts';
import { startFakeHub, type FakeHub } from './test-support/fake-hub.ts';
import { makeMember } from './test-support/members.ts';
import { makeTempDir } from './test-support/temp-dir.ts';
import { CASHIER_SESSION, TEST_STAFF_CARD, TEST_STAFF_PIN } from './test-support/staff-sessions.ts';

const CARD = '04A1B2C3D4';
const STAFF = TEST_STAFF_CARD;
const PIN = TEST_STAFF_PIN;
const CASHIER = CASHIER_SESSION;
const json = { 'content-type': 'application/json' };

describe('device composition root', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let broker: TestBroker;
  let fakeHub: FakeHub;
  const devices: Device[] = [];
  let seen: Transaction[];

  beforeEach(async () => {
    temp = makeTempDir();
    broker = await startTestBroker();
    seen = [];
    fakeHub = await startFakeHub({
      url: broker.url,
      members: new Map([[CARD, makeMember(CARD)]]),
      staff: new Map([[STAFF, { pin: PIN, session: CASHIER }]]),
      // The hub has its kiosks stand at a counter: they may take cash.
      profile: { mode: 'attended' },
      decide: (tx) => {
        seen.push(tx);
        return { status: 'applied' };
      },
    });
  });
  afterEach(async () => {
    for (const device of devices.splice(0)) await device.stop();
    await fakeHub.stop();
    await broker.stop();
    temp.cleanup();
  });

  function make(overrides: Record<string, unknown> = {}): Device {
    const device = createDevice({ demo: true, deviceId: 'kiosk-1', storeId: 'store-1', hubUrl: broker.url, dataDir: join(temp.dir, 'kiosk-1'), httpHost: '127.0.0.1', httpPort: 0, logLevel: 'silent', tuning: { reconnectMs: 100 }, ...overrides });
    devices.push(device);
    return device;
  }

  it('refuses a bad config before doing anything, and freezes a good one', () => {
    expect(() => createDevice({ demo: true, deviceId: 'bad id!', storeId: 's', hubUrl: 'http://x', dataDir: temp.dir, httpHost: '127.0.0.1', httpPort: 0 })).toThrow(/deviceId.*hubUrl/s);
    const device = make();
    expect(Object.isFrozen(device.config)).toBe(true);
    expect(device.config.baseTopic).toBe('memberkiosk');
  });

  it('starts idempotently, serves the screen and API over real HTTP, and stops idempotently', async () => {
    const device = make();
    const [first, second] = await Promise.all([device.start(), device.start()]);
    expect(second).toEqual(first);
    expect(first.screenUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(first.screenUrl);
    // The built screen app (device/screen/dist): its page, in Chinese first.
    expect(await page.text()).toContain('<html lang="zh-CN">');
    const state = (await (await fetch(`${first.apiUrl}/state`)).json()) as Record<string, unknown>;
    expect(state).toMatchObject({ deviceId: 'kiosk-1', storeId: 'store-1', connected: true, outboxDepth: 0 });
    // No hardware configured: the simulated pair, both up.
    expect(state.drivers).toMatchObject({ cardReader: { kind: 'simulated', connected: true }, printer: { kind: 'simulated', connected: true, paperOut: false } });
    const tapped = (await (await fetch(`${first.apiUrl}/sim/tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: CARD }) })).json()) as { session: { name: string } };
    expect(tapped.session.name).toBe('member');
    const settings = JSON.parse(readFileSync(join(temp.dir, 'kiosk-1', 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(settings).toMatchObject({ deviceId: 'kiosk-1', storeId: 'store-1', hubUrl: broker.url });
    await Promise.all([device.stop(), device.stop()]);
    await expect(fetch(first.screenUrl)).rejects.toThrow();
  });

  it('starts while the hub is unreachable and keeps what it queued across a restart', async () => {
    // The member was seen here before (the kiosk caches them), so the offline kiosk still knows the card.
    const first = make();
    const online = await first.start();
    const seenBefore = (await (await fetch(`${online.apiUrl}/sim/tap`, { method: 'POST', headers: json, body: JSON.stringify({ uid: CARD }) })).json()) as { session: { name: string } };
    expect(seenBefore.session.name).toBe('member');
    await first.stop();

    const device = make({ hubUrl: 'mqtt://127.0.0.1:1' });
    const { apiUrl } = await device.start();
    const tapped = (await (await fetch(`${apiUrl}/sim/tap`, { method: 'POST', headers: json, body: JSON.stringify({ uid: CARD }) })).json()) as { session: { name: string; offline: boolean } };
    expect(tapped.session).toMatchObject({ name: 'member', offline: true });
    const post = await fetch(`${apiUrl}/tx/purchase`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ lines: [{ sku: 'COFFEE', category: 'drinks', qty: 1, unitPriceCents: 350 }], payments: [{ method: 'stored_value', amountCents: 350 }] }),
    });
    expect(post.status).toBe(202);
    const { id } = (await post.json()) as { id: string };
    await device.stop();
    const again = make();
    const urls = await again.start();
    const deadline = Date.now() + 10_000;
    let status = '';
    while (Date.now() < deadline && status !== 'done') {
      status = ((await (await fetch(`${urls.apiUrl}/tx/${id}`)).json()) as { status: string }).status;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe('done');
    expect(fakeHub.applied).toEqual([id]);
  });

  it('takes its mode from the hub and tops up only for a signed-in clerk, naming them, over real HTTP', async () => {
    const device = make();
    const { apiUrl } = await device.start();
    const state = async () => (await (await fetch(`${apiUrl}/state`)).json()) as { mode: string; staff: { staffId: string } | null };
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await state()).mode !== 'attended') await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await state()).toMatchObject({ mode: 'attended', staff: null });
    const tap = (uid: string) => fetch(`${apiUrl}/sim/tap`, { method: 'POST', headers: json, body: JSON.stringify({ uid }) });
    const topUp = () => fetch(`${apiUrl}/tx/top-up`, { method: 'POST', headers: json, body: JSON.stringify({ amountCents: 2500, tender: 'cash' }) });

    await tap(CARD);
    const refused = await topUp();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('STAFF_SESSION_REQUIRED');

    expect(((await (await tap(STAFF)).json()) as { session: { code: string } }).session.code).toBe('CARD_IS_STAFF');
    const signIn = await fetch(`${apiUrl}/staff/sign-in`, { method: 'POST', headers: json, body: JSON.stringify({ pin: PIN }) });
    expect(signIn.status).toBe(200);
    expect((await state()).staff).toMatchObject({ staffId: 'staff-7' });
    await tap(CARD);
    const applied = await topUp();
    expect(applied.status).toBe(200);
    expect(await applied.json()).toMatchObject({ status: 'applied' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'top_up', cardUid: CARD, tender: 'cash', actor: { staffId: 'staff-7', sessionId: CASHIER.sessionId } });
    expect(seen[0]).not.toHaveProperty('staffCardUid');
    // The mode is kept for the next start, when the hub may be out of reach.
    expect(JSON.parse(readFileSync(join(temp.dir, 'kiosk-1', 'settings.json'), 'utf8'))).toMatchObject({ kioskMode: 'attended' });
  });

  it('takes simulated taps over HTTP only in demo mode: a kiosk in a store has no such route, whatever its reader', async () => {
    const store = make({ demo: false });
    const { apiUrl } = await store.start();
    const refused = await fetch(`${apiUrl}/sim/tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: '04A1B2C3D4' }) });
    expect(refused.status).toBe(404);
    await store.stop();
    const demo = make({ demo: true, dataDir: join(temp.dir, 'kiosk-demo') });
    const demoUrls = await demo.start();
    const tapped = await fetch(`${demoUrls.apiUrl}/sim/tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: '04A1B2C3D4' }) });
    expect(tapped.status).toBe(200);
  });

  it('masks card UIDs and phone numbers in logs', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    createDeviceLogger('info', sink).info({ cardUid: CARD, tx: { staffCardUid: '5AFF0001', newCardUid: 'ABCDEF012345' }, member: { phone: '13800138000' } }, 'x');
    const text = lines.join('');
    expect(text).not.toContain(CARD);
    expect(text).not.toContain('5AFF0001');
    expect(text).not.toContain('ABCDEF012345');
    expect(text).not.toContain('13800138000');
    expect(text).toContain('C3D4');
  });

  it('runs as `memberkiosk device` and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/memberkiosk.mjs', 'device', '--hub', broker.url, '--id', 'kiosk-9', '--store', 'store-1', '--data', join(temp.dir, 'kiosk-9'), '--port', '0', '--log-level', 'silent'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const screenUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no screen URL printed: ${out}`)), 15_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /screen: (\S+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
    expect((await fetch(screenUrl)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
