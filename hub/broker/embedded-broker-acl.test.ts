import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { enrolForTest, type DeviceCredentials } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

/**
 * The embedded broker tried as an attacker would (real aedes in a real hub, outside clients with mqtt.js).
 * The same attacks with the mosquitto_pub/mosquitto_sub binaries: embedded-broker-mosquitto-clients.test.ts.
 */
const t = createTopics();
const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The CONNACK refusal's message, or 'connected'. */
async function tryConnect(url: string, options: IClientOptions): Promise<string> {
  return mqtt
    .connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3_000, ...options })
    .then(async (client) => (await client.endAsync(true), 'connected'))
    .catch((error: Error) => error.message);
}

function connectAs(url: string, device: DeviceCredentials, extra: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clientId: device.deviceId, username: device.username, password: device.password, ...extra });
}

const closed = (client: MqttClient) => new Promise<void>((resolve) => (client.connected ? client.once('close', () => resolve()) : resolve()));

describe('embedded broker: who may connect (real aedes)', () => {
  let env: TestHub;
  let a: DeviceCredentials;

  beforeEach(async () => {
    env = await startTestHub();
    a = await enrolForTest(env, 'kiosk-a');
  });
  afterEach(async () => {
    await env.dispose();
  });

  it('refuses anonymous clients, a missing or wrong password, an unknown device and a username that is not the client id', async () => {
    expect(await tryConnect(env.brokerUrl, { clientId: 'kiosk-a' })).toMatch(/Bad username or password/);
    expect(await tryConnect(env.brokerUrl, { clientId: 'kiosk-a', username: 'kiosk-a' })).toMatch(/Bad username or password/);
    expect(await tryConnect(env.brokerUrl, { clientId: 'kiosk-a', username: 'kiosk-a', password: `${a.password.slice(0, -1)}x` })).toMatch(/Bad username or password/);
    expect(await tryConnect(env.brokerUrl, { clientId: 'kiosk-z', username: 'kiosk-z', password: a.password })).toMatch(/Bad username or password/);
    // A's own secret under another client id: taking over kiosk-b (or knocking it off) is not possible.
    await enrolForTest(env, 'kiosk-b');
    expect(await tryConnect(env.brokerUrl, { clientId: 'kiosk-b', username: 'kiosk-a', password: a.password })).toMatch(/Bad username or password/);
    expect(await tryConnect(env.brokerUrl, { clientId: 'kiosk-a', username: 'kiosk-a', password: a.password })).toBe('connected');
    // The hub's own login without its secret.
    expect(await tryConnect(env.brokerUrl, { clientId: 'fake-hub', username: 'hub', password: 'guess' })).not.toBe('connected');
  });

  it('refuses client ids with wildcards or slashes, and the reserved "hq", whatever the credentials', async () => {
    for (const clientId of ['+', '#', 'kiosk-1/tx', 'kiosk-a/+', 'hq']) {
      expect(await tryConnect(env.brokerUrl, { clientId, username: clientId, password: a.password }), clientId).toMatch(/Identifier rejected/);
    }
    // Nor can such an id be enrolled in the first place.
    await expect(enrolForTest(env, 'kiosk-1/tx')).rejects.toMatchObject({ code: 'DEVICE_ID_INVALID' });
  });

  it('carries an enrolled kiosk over TLS with the hub’s own CA, and refuses a client that does not trust it', async () => {
    const client = await connectAs(env.brokerTlsUrl!, a, { ca: env.caPem });
    await client.subscribeAsync(t.txResult('kiosk-a'), { qos: 1 });
    await client.endAsync();
    expect(await tryConnect(env.brokerTlsUrl!, { clientId: 'kiosk-a', username: 'kiosk-a', password: a.password })).toMatch(/self-signed|certificate/i);
  });
});

describe('embedded broker: what an enrolled kiosk may do (real aedes)', () => {
  let env: TestHub;
  let a: DeviceCredentials;

  beforeEach(async () => {
    env = await startTestHub();
    a = await enrolForTest(env, 'kiosk-a');
    await enrolForTest(env, 'kiosk-b');
  });
  afterEach(async () => {
    await env.dispose();
  });

  it('disconnects a kiosk that publishes into another kiosk’s namespace or looks up there; the hub never sees it', async () => {
    for (const topic of [t.tx('kiosk-b'), t.request('kiosk-b', '01JLOOKUP')]) {
      const intruder = await connectAs(env.brokerUrl, a);
      const gone = closed(intruder);
      intruder.publish(topic, JSON.stringify({ id: '01JAAAAAAAAAAAAAAAAAAAAAAA', deviceId: 'kiosk-b', seq: 1 }), { qos: 1 });
      await gone;
      intruder.end(true);
    }
    expect(await env.hub.store.consumedSeqs('kiosk-b')).toBe(0);
  });

  it('lets nobody but the hub publish results or look-up answers, not even on the kiosk’s own topics', async () => {
    const listener = await mqtt.connectAsync(env.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0, clientId: 'listener', ...env.hub.embeddedBrokerCredentials! });
    await listener.subscribeAsync(['memberkiosk/v1/devices/+/tx/result', 'memberkiosk/v1/devices/+/response/+'], { qos: 1 });
    const heard: string[] = [];
    listener.on('message', (topic) => heard.push(topic));
    for (const topic of [t.txResult('kiosk-b'), t.txResult('kiosk-a'), t.response('kiosk-b', '1'), t.response('kiosk-a', '1')]) {
      const forger = await connectAs(env.brokerUrl, a);
      const gone = closed(forger);
      forger.publish(topic, JSON.stringify({ id: '01JAAAAAAAAAAAAAAAAAAAAAAA', status: 'rejected', code: 'CARD_LOST' }), { qos: 1 });
      await gone;
      forger.end(true);
    }
    // A message the hub publishes itself does arrive: the listener was listening all along.
    await listener.publishAsync(t.txResult('kiosk-b'), 'from the hub', { qos: 1 });
    await vi.waitFor(() => expect(heard).toEqual([t.txResult('kiosk-b')]));
    await listener.endAsync();
  });

  it('refuses subscriptions outside the kiosk’s own topics and scopes, and grants its own', async () => {
    const snoop = await connectAs(env.brokerUrl, a);
    for (const filter of [t.txResult('kiosk-b'), t.response('kiosk-b', '+'), t.allTx, t.allRequests, 'memberkiosk/v1/devices/+/response/+', '#', 'memberkiosk/v1/config/#', t.config('store/store-002'), t.config('device/kiosk-b')]) {
      // mqtt.js turns a refused grant (SUBACK 0x80) into a rejected promise.
      await expect(snoop.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow(/Subscribe error/);
    }
    const granted = await snoop.subscribeAsync([t.txResult('kiosk-a'), t.response('kiosk-a', '+'), t.hubAvailability, t.config('global'), t.config(`region/${a.regionId}`), `${t.config('store/store-001')}/#`, t.config('device/kiosk-a')], { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    await snoop.endAsync();
  });
});

describe('embedded broker: revocation (real aedes)', () => {
  let env: TestHub;

  beforeEach(async () => {
    env = await startTestHub();
  });
  afterEach(async () => {
    await env.dispose();
  });

  it('disconnects a kiosk revoked inside the hub at once and refuses it from then on', async () => {
    const a = await enrolForTest(env, 'kiosk-a');
    const client = await connectAs(env.brokerUrl, a);
    const gone = closed(client);
    expect((await env.hub.revokeDevice('kiosk-a'))?.revokedAt).toEqual(expect.any(String));
    await gone;
    client.end(true);
    expect(await tryConnect(env.brokerUrl, { clientId: 'kiosk-a', username: 'kiosk-a', password: a.password })).toMatch(/Not authorized/);
  });

  it('disconnects a kiosk revoked by `memberkiosk devices revoke` (another process) while the hub runs', async () => {
    const a = await enrolForTest(env, 'kiosk-cli');
    const client = await connectAs(env.brokerUrl, a);
    const gone = closed(client);
    const cli = spawn(process.execPath, ['bin/memberkiosk.mjs', 'devices', 'revoke', 'kiosk-cli', '--data', env.dataDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await new Promise<number | null>((resolve) => cli.once('exit', resolve))).toBe(0);
    expect(output).toMatch(/device kiosk-cli revoked/);
    const started = Date.now();
    await gone;
    // The hub looks for revocations every second.
    expect(Date.now() - started).toBeLessThan(3_000);
    client.end(true);
    expect(await tryConnect(env.brokerUrl, { clientId: 'kiosk-cli', username: 'kiosk-cli', password: a.password })).toMatch(/Not authorized/);
  });
});

describe('the reserved HQ device id (real aedes)', () => {
  it('refuses a client that connects as "hq", and the hub refuses transactions published under it', async () => {
    const env = await startTestHub();
    try {
      const impostor = await mqtt
        .connectAsync(env.brokerUrl, { clientId: 'hq', username: 'hq', password: 'anything', protocolVersion: 4, reconnectPeriod: 0 })
        .then((c) => (c.end(true), 'connected'))
        .catch((error: Error) => error.message);
      expect(impostor).not.toBe('connected');
      // With the hub's own rights (a misconfigured external broker would allow the same), publishing under
      // devices/hq/tx still changes nothing: HQ transactions are never taken from the wire.
      const insider = await mqtt.connectAsync(env.brokerUrl, { clientId: 'tool', ...env.hub.embeddedBrokerCredentials!, protocolVersion: 4, reconnectPeriod: 0 });
      await insider.subscribeAsync('memberkiosk/v1/devices/hq/tx/result', { qos: 1 });
      const answer = new Promise<string>((resolve) => insider.once('message', (_t, p) => resolve(p.toString())));
      const before = await env.hub.store.transactionCount();
      await insider.publishAsync('memberkiosk/v1/devices/hq/tx', JSON.stringify({ kind: 'manual_bonus' }), { qos: 1 });
      expect(JSON.parse(await answer)).toMatchObject({ status: 'rejected', code: 'TX_NOT_ALLOWED_FROM_DEVICE' });
      expect(await env.hub.store.transactionCount()).toBe(before);
      await insider.endAsync();
    } finally {
      await env.dispose();
    }
  });
});
