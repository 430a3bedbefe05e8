import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { enrolForTest, type DeviceCredentials } from '../testing/enrol-for-test.ts';
import { startMosquittoDynsec, type DynsecMosquitto } from '../testing/start-mosquitto-dynsec.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { MosquittoDynsecAccounts } from './mosquitto-dynsec-accounts.ts';
import { runMosquittoClient } from '../testing/run-mosquitto-client.ts';

/**
 * The same attacks as on the embedded broker, against a real Mosquitto whose kiosk accounts the hub keeps in
 * step through the dynamic security plugin (enrol creates one, revoke disables it), with the stock
 * mosquitto_pub/mosquitto_sub clients and mqtt.js.
 */
const t = createTopics();
const REPO = fileURLToPath(new URL('../../', import.meta.url));

function run(binary: string, args: string[], timeoutMs = 5_000): Promise<{ code: number | null; output: string }> {
  return runMosquittoClient(binary, args, { timeoutMs, cwd: REPO });
}

describe('Mosquitto with dynamic security, kept in step with the fleet (real broker, real binaries)', () => {
  let broker: DynsecMosquitto;
  let env: TestHub;
  let a: DeviceCredentials;
  let port: string;
  const as = (d: DeviceCredentials, clientId = d.deviceId) => ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-i', clientId, '-u', d.username, '-P', d.password];
  const connectAs = (d: DeviceCredentials) => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, reconnectPeriod: 0, clientId: d.deviceId, username: d.username, password: d.password });
  const closed = (client: MqttClient) => new Promise<void>((resolve) => (client.connected ? client.once('close', () => resolve()) : resolve()));

  beforeEach(async () => {
    broker = await startMosquittoDynsec();
    port = String(broker.port);
    await new MosquittoDynsecAccounts({ url: broker.adminUrl, logger: pino({ level: 'silent' }) }).ensureHubAccount('hub', 'hub-secret');
    env = await startTestHub({ broker: { mode: 'external', url: broker.url('hub', 'hub-secret'), dynsecAdminUrl: broker.adminUrl } });
    a = await enrolForTest(env, 'kiosk-a');
    await enrolForTest(env, 'kiosk-b');
  });
  afterEach(async () => {
    await env.dispose();
    await broker.stop();
  });

  it('refuses anonymous clients, a wrong password, and client ids +, # and kiosk-1/tx', async () => {
    const anonymous = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-t', '#', '-C', '1', '-W', '3']);
    expect(anonymous.output).toMatch(/not authori[sz]ed/i);
    const wrong = await run('mosquitto_pub', [...as({ ...a, password: 'guess' }), '-t', t.tx('kiosk-a'), '-m', 'x']);
    expect(wrong.output).toMatch(/not authori[sz]ed/i);
    for (const id of ['+', '#', 'kiosk-1/tx']) {
      const attempt = await run('mosquitto_sub', [...as(a, id), '-t', '#', '-C', '1', '-W', '3']);
      expect(attempt.code, id).not.toBe(0);
      expect(attempt.output, id).toMatch(/not authori[sz]ed|identifier rejected/i);
    }
  });

  it('keeps kiosk A out of B’s namespace and lets nobody but the hub publish results', async () => {
    for (const filter of [t.txResult('kiosk-b'), t.allTx, '#', t.config('device/kiosk-b')]) {
      expect((await run('mosquitto_sub', [...as(a), '-q', '1', '-t', filter, '-C', '1', '-W', '3'])).output, filter).toMatch(/All subscription requests were denied/);
    }
    const listener = run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-i', 'listener', '-u', 'hub', '-P', 'hub-secret', '-t', 'memberkiosk/v1/devices/+/tx/result', '-v', '-W', '3']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const forged = JSON.stringify({ id: '01JAAAAAAAAAAAAAAAAAAAAAAA', deviceId: 'kiosk-b', seq: 1, status: 'rejected', code: 'CARD_LOST' });
    for (const topic of [t.tx('kiosk-b'), t.txResult('kiosk-b'), t.txResult('kiosk-a')]) await run('mosquitto_pub', [...as(a), '-q', '1', '-t', topic, '-m', forged]);
    expect((await listener).output).not.toContain('tx/result');
    expect(await env.hub.store.consumedSeqs('kiosk-b')).toBe(0);
    // What A may do still works: its own transaction topic reaches the hub, whose answer reaches A.
    const own = await connectAs(a);
    await own.subscribeAsync(t.txResult('kiosk-a'), { qos: 1 });
    const answer = new Promise<string>((resolve) => own.once('message', (_topic, payload) => resolve(payload.toString())));
    await own.publishAsync(t.tx('kiosk-a'), 'not json', { qos: 1 });
    expect(JSON.parse(await answer)).toMatchObject({ status: 'rejected' });
    await own.endAsync();
  });

  it('disables a revoked kiosk on the broker: disconnected at once from the hub API, within seconds from the CLI', async () => {
    const client = await connectAs(a);
    const gone = closed(client);
    await env.hub.revokeDevice('kiosk-a');
    await gone;
    client.end(true);
    expect((await run('mosquitto_pub', [...as(a), '-t', t.tx('kiosk-a'), '-m', 'x'])).output).toMatch(/not authori[sz]ed/i);

    const c = await enrolForTest(env, 'kiosk-c');
    const other = await connectAs(c);
    const otherGone = closed(other);
    expect((await run(process.execPath, ['bin/memberkiosk.mjs', 'devices', 'revoke', 'kiosk-c', '--data', env.dataDir], 30_000)).code).toBe(0);
    await vi.waitFor(() => otherGone, { timeout: 5_000 });
    other.end(true);
    expect((await run('mosquitto_pub', [...as(c), '-t', t.tx('kiosk-c'), '-m', 'x'])).output).toMatch(/not authori[sz]ed/i);
  });
});
