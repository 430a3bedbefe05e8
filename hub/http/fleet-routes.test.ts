/** The fleet over the hub's HTTPS API (real hub, real TLS, real fleet and identity), tried without and with rights. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnrolmentCode } from '../../core/fleet/enrolment-code.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import pino from 'pino';
import { DEMO_REGION_ID } from '../demo/seed-demo-fleet.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { staffToken } from '../testing/staff-actor.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

describe('fleet over the hub API (real hub over HTTPS)', () => {
  let env: TestHub;
  const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) => hubHttps(env, method, path, options);
  let adminToken: string;

  beforeAll(async () => {
    env = await startTestHub();
    adminToken = (await call('POST', '/api/login', { body: { login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD } })).body.token as string;
  });
  afterAll(async () => {
    await env.dispose();
  });

  it('refuses anyone not signed in (401) and any role but HQ admin (403), changing nothing', async () => {
    expect((await call('POST', '/api/regions', { body: { id: 'east', name: 'East' } })).status).toBe(401);
    expect((await call('POST', '/api/enrolment-codes', { body: { storeId: DEMO_STORE_ID } })).status).toBe(401);
    expect((await call('GET', '/api/devices', { token: 'guessed-token-guessed-token' })).status).toBe(401);
    expect((await call('GET', '/api/regions', { token: adminToken })).body.regions).not.toContainEqual(expect.objectContaining({ regionId: 'east' }));
  });

  it('lets HQ add a region and a store, make a one-time code carrying the hub CA, list and revoke a device, all audited', async () => {
    expect(await call('POST', '/api/regions', { token: adminToken, body: { id: 'east', name: '华东 East' } })).toMatchObject({ status: 201 });
    expect(await call('POST', '/api/stores', { token: adminToken, body: { id: 'store-sh-1', name: '上海一店', regionId: 'east' } })).toMatchObject({ status: 201 });
    expect((await call('GET', '/api/stores', { token: adminToken })).body.stores).toContainEqual({ storeId: 'store-sh-1', name: '上海一店', regionId: 'east', address: '', phone: '', timezone: 'Asia/Shanghai' });
    const made = await call('POST', '/api/enrolment-codes', { token: adminToken, body: { storeId: 'store-sh-1', mode: 'attended', ttlHours: 2 } });
    expect(made.status).toBe(201);
    expect(parseEnrolmentCode(made.body.code as string)?.caSha256).toBe(env.caSha256);
    expect((await call('POST', '/api/enrolment-codes', { token: adminToken, body: { storeId: 'no-such-store' } })).status).toBe(400);

    const { deviceId } = await enrolForTest(env, 'kiosk-api-1');
    const listed = (await call('GET', '/api/devices', { token: adminToken })).body.devices as { deviceId: string; revokedAt: string | null }[];
    expect(listed.find((d) => d.deviceId === deviceId)).toMatchObject({ revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain('Sha256');
    // Moved to a counter: the fleet and the ledger's copy change together, so the next hub start keeps it.
    expect((await call('PUT', `/api/devices/${deviceId}/mode`, { token: adminToken, body: { mode: 'unattended' } })).body).toMatchObject({ deviceId, mode: 'unattended' });
    expect((await env.hub.fleet.device(deviceId))?.mode).toBe('unattended');
    expect(await env.hub.store.identity.deviceMode(deviceId)).toBe('unattended');
    const revoked = await call('POST', `/api/devices/${deviceId}/revoke`, { token: adminToken });
    expect(revoked.body).toMatchObject({ deviceId, revokedAt: expect.any(String) });
    expect((await env.hub.fleet.device(deviceId))?.revokedAt).not.toBeNull();
    expect((await call('POST', '/api/devices/nobody/revoke', { token: adminToken })).status).toBe(404);
    const actions = (await env.hub.store.identity.auditEntries({ limit: 20, action: 'fleet.' })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['fleet.add_region', 'fleet.add_store', 'fleet.create_enrolment_code', 'fleet.revoke_device']));
  });

  it('lets HQ change a store’s name, address, phone and time zone, audited with before and after', async () => {
    await call('POST', '/api/regions', { token: adminToken, body: { id: 'south', name: '华南 South' } });
    const added = await call('POST', '/api/stores', { token: adminToken, body: { id: 'store-gz-1', name: '广州一店', regionId: 'south', timezone: 'Asia/Shanghai' } });
    expect(added).toMatchObject({ status: 201, body: { storeId: 'store-gz-1', address: '', timezone: 'Asia/Shanghai' } });
    const changed = await call('PATCH', '/api/stores/store-gz-1', { token: adminToken, body: { address: '广州市天河路1号', phone: '020-8888 0000' } });
    expect(changed).toMatchObject({ status: 200, body: { storeId: 'store-gz-1', name: '广州一店', regionId: 'south', address: '广州市天河路1号', phone: '020-8888 0000', timezone: 'Asia/Shanghai' } });
    expect(await env.hub.fleet.store('store-gz-1')).toMatchObject({ address: '广州市天河路1号' });
    const [entry] = await env.hub.store.identity.auditEntries({ limit: 1, action: 'fleet.change_store' });
    expect(entry).toMatchObject({ target: 'store-gz-1', before: expect.objectContaining({ address: '' }), after: expect.objectContaining({ address: '广州市天河路1号' }) });

    // A zone that is not an IANA zone, a phone with letters, an empty change or an unknown store: refused, nothing changed.
    const badZone = await call('PATCH', '/api/stores/store-gz-1', { token: adminToken, body: { timezone: 'GMT+8 Beijing' } });
    expect(badZone).toMatchObject({ status: 400, body: { error: { code: 'STORE_TIMEZONE_INVALID' } } });
    expect((await call('PATCH', '/api/stores/store-gz-1', { token: adminToken, body: { phone: 'call us' } })).status).toBe(400);
    expect((await call('PATCH', '/api/stores/store-gz-1', { token: adminToken, body: {} })).status).toBe(400);
    expect(await call('PATCH', '/api/stores/store-nowhere', { token: adminToken, body: { name: 'x' } })).toMatchObject({ status: 404, body: { error: { code: 'FLEET_UNKNOWN_STORE' } } });
    expect((await call('POST', '/api/stores', { token: adminToken, body: { id: 'store-gz-2', name: '二店', regionId: 'south', timezone: 'Mars/Olympus' } })).body).toMatchObject({ error: { code: 'STORE_TIMEZONE_INVALID' } });
    expect(await env.hub.fleet.store('store-gz-1')).toMatchObject({ phone: '020-8888 0000', timezone: 'Asia/Shanghai' });

    // Only HQ changes stores.
    const identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
    const manager = await staffToken(identity, 'store_manager', ['store-gz-1']);
    expect((await call('PATCH', '/api/stores/store-gz-1', { token: manager, body: { name: '我的店' } })).status).toBe(403);
    expect((await call('PATCH', '/api/stores/store-gz-1', { body: { name: '我的店' } })).status).toBe(401);
  });

  it("lets a store manager read the names of their own store and region only, and change nothing", async () => {
    await call('POST', '/api/regions', { token: adminToken, body: { id: 'north', name: '华北 North' } });
    await call('POST', '/api/stores', { token: adminToken, body: { id: 'store-bj-1', name: '北京一店', regionId: 'north' } });
    const identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
    const manager = await staffToken(identity, 'store_manager', [DEMO_STORE_ID]);
    const stores = (await call('GET', '/api/stores', { token: manager })).body.stores as { storeId: string }[];
    expect(stores.map((s) => s.storeId)).toEqual([DEMO_STORE_ID]);
    const regions = (await call('GET', '/api/regions', { token: manager })).body.regions as { regionId: string }[];
    expect(regions.map((r) => r.regionId)).toEqual([DEMO_REGION_ID]);
    expect((await call('POST', '/api/stores', { token: manager, body: { id: 'store-x', name: 'X', regionId: DEMO_REGION_ID } })).status).toBe(403);
    expect((await call('GET', '/api/stores', { token: adminToken })).body.stores).toContainEqual(expect.objectContaining({ storeId: 'store-bj-1' }));
  });
});
