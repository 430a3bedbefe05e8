/**
 * The device registry against a real hub (embedded aedes, real fleet.sqlite) and, for reports retained before the
 * hub started, a real Mosquitto: outside MQTT clients with enrolled kiosks' credentials publish retained state and
 * availability (with a last will) as kiosks do, plus what kiosks never should (garbage, another device's report).
 */
import { execFile } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { DEMO_REGION_ID } from '../demo/seed-demo-fleet.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startMosquitto, type MosquittoBroker } from '../testing/start-mosquitto.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import type { DeviceStatus } from './device-status.ts';
import type { DevicesView } from './devices-view.ts';
import pino from 'pino';

const topics = createTopics();
const OTHER_STORE = 'store-registry-2';

/** A kiosk's connection as device/link makes it: its own credentials, a retained `offline` last will. */
async function connectKiosk(url: string, credentials: { username: string; password: string }): Promise<MqttClient> {
  const deviceId = credentials.username;
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    clientId: deviceId,
    username: credentials.username,
    password: credentials.password,
    clean: true,
    reconnectPeriod: 0,
    will: { topic: topics.availability(deviceId), payload: Buffer.from('offline'), qos: 1, retain: true },
  });
  client.on('error', () => undefined);
  return client;
}

/** A report in the shape device/link/presence.ts and device/main.ts publish, extended as the kiosk side reports config. */
function stateReport(deviceId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    deviceId,
    connected: true,
    outboxDepth: 2,
    epoch: 'E1',
    oldestPending: { epoch: 'E1', seq: 7 },
    software: '0.1.0',
    config: { snapshotVersion: 12, rulesVersion: 4, scopeVersions: { global: 1, [`store/${DEMO_STORE_ID}`]: 2 }, expires: '2030-01-01T00:00:00.000Z', lastRefusal: null },
    drivers: { cardReader: { state: 'ok' }, printer: { state: 'paper_out', lastError: { code: 'DRIVER_PRINTER_PAPER_OUT' } } },
    clockOffsetMs: -1_250,
    lastAlert: { code: 'CLOCK_SKEW', at: '2026-01-01T00:00:00.000Z', detail: { offsetMs: -1250 } },
    someFutureField: { whatever: true },
    at: new Date().toISOString(),
    ...extra,
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('device registry (real hub, real aedes, real fleet.sqlite)', () => {
  let env: TestHub;
  const clients: MqttClient[] = [];
  /** Connected until the test ends, or until the `owner` list is closed. */
  const kiosk = async (deviceId: string, storeId = DEMO_STORE_ID, owner = clients) => {
    const credentials = await enrolForTest(env, deviceId, { storeId });
    const client = await connectKiosk(env.brokerUrl, credentials);
    owner.push(client);
    return client;
  };
  const recorded = (deviceId: string, match: (s: DeviceStatus) => boolean) => env.hub.deviceStatus.waitFor((s) => s.deviceId === deviceId && match(s));

  beforeAll(async () => {
    env = await startTestHub();
    await env.hub.fleet.addStore({ storeId: OTHER_STORE, name: 'Second store', regionId: DEMO_REGION_ID });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  });
  afterAll(async () => {
    await env.dispose();
  });

  it('records a kiosk’s retained availability and state, and its last will as offline', async () => {
    const client = await kiosk('kiosk-reg-1');
    await client.publishAsync(topics.availability('kiosk-reg-1'), 'online', { qos: 1, retain: true });
    await client.publishAsync(topics.state('kiosk-reg-1'), stateReport('kiosk-reg-1'), { qos: 1, retain: true });
    const status = await recorded('kiosk-reg-1', (s) => s.online === true && s.software === '0.1.0');
    expect(status).toMatchObject({
      online: true,
      software: '0.1.0',
      snapshotVersion: 12,
      rulesVersion: 4,
      scopeVersions: { global: 1, [`store/${DEMO_STORE_ID}`]: 2 },
      configExpires: '2030-01-01T00:00:00.000Z',
      drivers: { printer: { state: 'paper_out' } },
      outboxDepth: 2,
      clockOffsetMs: -1_250,
      lastAlert: { code: 'CLOCK_SKEW' },
      lastRefusal: null,
    });
    expect(Date.now() - Date.parse(status.lastSeen!)).toBeLessThan(5_000);
    // Unknown fields are not kept anywhere.
    expect(JSON.stringify(await env.hub.deviceStatus.list())).not.toContain('someFutureField');

    // The connection dies without a goodbye: the broker publishes the kiosk's will.
    client.stream.destroy();
    const gone = await recorded('kiosk-reg-1', (s) => s.online === false);
    expect(gone.onlineChangedAt).not.toBeNull();
    // What it reported stays on record.
    expect(gone).toMatchObject({ software: '0.1.0', snapshotVersion: 12 });
  });

  it('counts and ignores a malformed or oversized report and one naming another device, never crashing', async () => {
    const client = await kiosk('kiosk-reg-2');
    await client.publishAsync(topics.state('kiosk-reg-2'), stateReport('kiosk-reg-2', { software: 'good-1' }), { qos: 1, retain: true });
    await recorded('kiosk-reg-2', (s) => s.software === 'good-1');
    const before = env.hub.deviceStatus.counters();

    await client.publishAsync(topics.state('kiosk-reg-2'), '{"deviceId": "kiosk-reg-2", "software": ', { qos: 1, retain: true });
    await client.publishAsync(topics.state('kiosk-reg-2'), '[1, 2, 3]', { qos: 1 });
    await client.publishAsync(topics.availability('kiosk-reg-2'), 'maybe', { qos: 1 });
    await client.publishAsync(topics.state('kiosk-reg-2'), stateReport('kiosk-reg-2', { software: 'x'.repeat(40_000) }), { qos: 1 });
    // Its own topic, another kiosk's name: the report describes nobody.
    await client.publishAsync(topics.state('kiosk-reg-2'), stateReport('kiosk-reg-1', { software: 'forged' }), { qos: 1 });
    await until(() => {
      const now = env.hub.deviceStatus.counters();
      return now.malformed >= before.malformed + 3 && now.tooLarge >= before.tooLarge + 1 && now.mismatched >= before.mismatched + 1;
    }, 'the bad reports counted');
    // A field of the wrong shape is dropped on its own; the rest of the report is recorded.
    await client.publishAsync(topics.state('kiosk-reg-2'), stateReport('kiosk-reg-2', { software: 'good-2', outboxDepth: 'lots' }), { qos: 1 });
    const status = await recorded('kiosk-reg-2', (s) => s.software === 'good-2');
    expect(status.outboxDepth).toBeNull();
    expect(env.hub.deviceStatus.counters().partialStates).toBeGreaterThan(before.partialStates);

    const all = await env.hub.deviceStatus.list();
    expect(all.find((s) => s.deviceId === 'kiosk-reg-1')?.software).not.toBe('forged');
    expect(all.map((s) => s.software)).not.toContain('forged');
    // The hub still takes reports.
    expect(env.hub.deviceStatus.counters().states).toBeGreaterThan(before.states);
  });

  describe('which kiosks of a scope applied, refused or have not reported a version', () => {
    const scope = `store/${DEMO_STORE_ID}`;
    let adminToken: string;
    let managerToken: string;
    const rolloutClients: MqttClient[] = [];
    afterAll(async () => {
      await Promise.all(rolloutClients.map((c) => c.endAsync().catch(() => undefined)));
    });
    const call = (path: string, token?: string) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const req = httpsRequest(new URL(path, env.httpsUrl!), { method: 'GET', ca: env.caPem, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
        });
        req.on('error', reject);
        req.end();
      });
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['bin/memberkiosk.mjs', 'devices', '--data', env.dataDir, ...args], { encoding: 'utf8' }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });

    beforeAll(async () => {
      const identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
      adminToken = (await identity.login(DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, 'hub')).token;
      await identity.addStaff({ name: 'Manager', role: 'store_manager', storeIds: [DEMO_STORE_ID], login: 'reg-manager', password: 'a-long-password-1' }, { kind: 'system', id: 'test', surface: 'cli' });
      managerToken = (await identity.login('reg-manager', 'a-long-password-1', 'hub')).token;

      const applied = await kiosk('kiosk-roll-a', DEMO_STORE_ID, rolloutClients);
      const refused = await kiosk('kiosk-roll-b', DEMO_STORE_ID, rolloutClients);
      await kiosk('kiosk-roll-c', DEMO_STORE_ID, rolloutClients); // enrolled and connected, never reports
      const elsewhere = await kiosk('kiosk-roll-d', OTHER_STORE, rolloutClients);
      await applied.publishAsync(topics.availability('kiosk-roll-a'), 'online', { qos: 1, retain: true });
      await applied.publishAsync(topics.state('kiosk-roll-a'), stateReport('kiosk-roll-a', { config: { snapshotVersion: 30, scopeVersions: { global: 1, [scope]: 3 }, lastRefusal: null } }), { qos: 1, retain: true });
      const refusal = { code: 'CONFIG_SIGNATURE_INVALID', detail: 'a configuration document’s signature does not verify', version: 3, scope, at: new Date().toISOString() };
      await refused.publishAsync(topics.state('kiosk-roll-b'), stateReport('kiosk-roll-b', { config: { snapshotVersion: 21, scopeVersions: { global: 1, [scope]: 2 }, lastRefusal: refusal } }), { qos: 1, retain: true });
      await elsewhere.publishAsync(topics.state('kiosk-roll-d'), stateReport('kiosk-roll-d', { config: { scopeVersions: { [`store/${OTHER_STORE}`]: 1 } } }), { qos: 1, retain: true });
      await recorded('kiosk-roll-a', (s) => s.scopeVersions[scope] === 3);
      await recorded('kiosk-roll-b', (s) => s.lastRefusal?.version === 3);
      await recorded('kiosk-roll-d', (s) => s.scopeVersions[`store/${OTHER_STORE}`] === 1);
    });

    it('answers GET /api/devices?scope&version to HQ admins only', async () => {
      expect((await call('/api/devices')).status).toBe(401);
      expect((await call(`/api/devices?scope=store:${DEMO_STORE_ID}&version=3`, 'guessed-token-guessed-token')).status).toBe(401);
      expect((await call('/api/devices', managerToken)).status).toBe(403);

      const answer = await call(`/api/devices?scope=store:${DEMO_STORE_ID}&version=3`, adminToken);
      expect(answer.status).toBe(200);
      const view = answer.body as unknown as DevicesView;
      const ids = view.devices.map((d) => d.deviceId);
      expect(ids).toEqual(expect.arrayContaining(['kiosk-roll-a', 'kiosk-roll-b', 'kiosk-roll-c']));
      expect(ids).not.toContain('kiosk-roll-d');
      expect(view.scope).toBe(scope);
      expect(view.rollout?.applied).toEqual([{ deviceId: 'kiosk-roll-a', version: 3 }]);
      expect(view.rollout?.refused).toEqual([{ deviceId: 'kiosk-roll-b', code: 'CONFIG_SIGNATURE_INVALID', detail: 'a configuration document’s signature does not verify', at: expect.any(String) }]);
      expect(view.rollout?.notReported).toContainEqual({ deviceId: 'kiosk-roll-c', version: null, reported: false });
      expect(view.devices.find((d) => d.deviceId === 'kiosk-roll-a')).toMatchObject({ storeId: DEMO_STORE_ID, online: true, snapshotVersion: 30, revokedAt: null });
      expect(JSON.stringify(view)).not.toContain('Sha256');

      // The whole fleet, and the other store alone.
      const all = (await call('/api/devices', adminToken)).body as unknown as DevicesView;
      expect(all.devices.map((d) => d.deviceId)).toEqual(expect.arrayContaining(['kiosk-roll-a', 'kiosk-roll-d']));
      expect(all.rollout).toBeNull();
      const other = (await call(`/api/devices?scope=store:${OTHER_STORE}`, adminToken)).body as unknown as DevicesView;
      expect(other.devices.map((d) => d.deviceId)).toEqual(['kiosk-roll-d']);
      expect((await call('/api/devices?scope=store:no-such-store&version=3', adminToken)).status).toBe(404);
      expect((await call('/api/devices?scope=planet:mars', adminToken)).status).toBe(400);
      expect((await call('/api/devices?version=3', adminToken)).status).toBe(400);
      expect((await call(`/api/devices?scope=store:${DEMO_STORE_ID}&version=zero`, adminToken)).status).toBe(400);
    });

    it('shows the same in `memberkiosk devices` (real process on the running hub’s data directory)', async () => {
      const table = await cli('--scope', `store:${DEMO_STORE_ID}`, '--version', '3');
      expect(table).toMatchObject({ code: 0, stderr: '' });
      const lines = table.stdout.split('\n');
      expect(lines[0]).toMatch(/^DEVICE\s+STORE\s+ONLINE\s+LAST SEEN\s+SOFTWARE\s+SNAPSHOT\s+OUTBOX\s+CLOCK\s+store\/store-001 v3\s+LAST REFUSAL$/);
      expect(lines.find((l) => l.startsWith('kiosk-roll-a'))).toMatch(/kiosk-roll-a\s+store-001\s+online\s+(just now|\d+s ago)\s+0\.1\.0\s+30\s+2\s+-1\.3s\s+applied v3\s+-$/);
      expect(lines.find((l) => l.startsWith('kiosk-roll-b'))).toMatch(/REFUSED\s+CONFIG_SIGNATURE_INVALID v3 store\/store-001: a configuration document’s signature does not verify$/);
      expect(lines.find((l) => l.startsWith('kiosk-roll-c'))).toMatch(/kiosk-roll-c\s+store-001\s+never\s+never\s.*not reported/);
      expect(table.stdout).not.toContain('kiosk-roll-d');
      expect(table.stdout).toContain('store/store-001 version 3: 1 of ');
      expect(table.stdout).toMatch(/\n {2}refused by kiosk-roll-b: CONFIG_SIGNATURE_INVALID — a configuration document’s signature does not verify/);

      const json = await cli('--scope', `store:${DEMO_STORE_ID}`, '--version', '3', '--json');
      expect(json.code).toBe(0);
      const api = (await call(`/api/devices?scope=store:${DEMO_STORE_ID}&version=3`, adminToken)).body;
      expect(JSON.parse(json.stdout)).toEqual(api);

      expect(await cli('--version', '3')).toMatchObject({ code: 2 });
      expect(await cli('--scope', 'store:no-such-store')).toMatchObject({ code: 1, stderr: expect.stringContaining('CONFIG_SCOPE_UNKNOWN') });
      // The enrolment listing is still there.
      expect((await cli('list')).stdout).toContain('kiosk-roll-d\tstore-registry-2');
    });
  });
});

describe('device registry on an external broker (real Mosquitto)', () => {
  let broker: MosquittoBroker | null = null;
  let env: TestHub | null = null;
  afterAll(async () => {
    await env?.dispose();
    await broker?.stop();
  });

  it('takes a state and availability retained before the hub started', async () => {
    broker = await startMosquitto({ hub: 'hub-pa55', 'kiosk-early': 'kiosk-pa55' });
    const early = await connectKiosk(broker.url('kiosk-early', 'kiosk-pa55'), { username: 'kiosk-early', password: 'kiosk-pa55' });
    const at = new Date(Date.now() - 60_000).toISOString();
    await early.publishAsync(topics.availability('kiosk-early'), 'online', { qos: 1, retain: true });
    await early.publishAsync(topics.state('kiosk-early'), stateReport('kiosk-early', { software: 'early-1', at }), { qos: 1, retain: true });

    env = await startTestHub({ broker: { mode: 'external', url: broker.url('hub', 'hub-pa55') } });
    const status = await env.hub.deviceStatus.waitFor((s) => s.deviceId === 'kiosk-early' && s.software === 'early-1' && s.online === true);
    // A retained report vouches for the kiosk at its own time, not at the hub's subscribe.
    expect(status).toMatchObject({ stateAt: at, lastSeen: at, snapshotVersion: 12 });
    // Not in the fleet (Mosquitto's own password file): shown all the same, storeless.
    const view = await call(env);
    expect(view).toContainEqual(expect.objectContaining({ deviceId: 'kiosk-early', storeId: null, software: 'early-1' }));

    early.stream.destroy();
    await env.hub.deviceStatus.waitFor((s) => s.deviceId === 'kiosk-early' && s.online === false);
  });

  async function call(target: TestHub) {
    const { readDevicesView } = await import('./read-devices-view.ts');
    return (await readDevicesView(target.hub.fleet, target.hub.deviceStatus)).devices;
  }
});
