import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { enrolForTest, type DeviceCredentials } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { runMosquittoClient } from '../testing/run-mosquitto-client.ts';

/**
 * The embedded broker against the stock Mosquitto command-line clients, as an attacker on the store network
 * would try it: not mqtt.js, so nothing here depends on how our own client library behaves.
 */
const t = createTopics();

interface Run {
  code: number | null;
  output: string;
}

function run(binary: 'mosquitto_pub' | 'mosquitto_sub', args: string[], timeoutMs = 5_000): Promise<Run> {
  return runMosquittoClient(binary, args, { timeoutMs });
}

describe('embedded broker against mosquitto_pub / mosquitto_sub (real aedes, real binaries)', () => {
  let env: TestHub;
  let port: string;
  let a: DeviceCredentials;
  const as = (d: DeviceCredentials) => ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-i', d.deviceId, '-u', d.username, '-P', d.password];

  beforeEach(async () => {
    env = await startTestHub();
    port = new URL(env.brokerUrl).port;
    a = await enrolForTest(env, 'kiosk-a');
    await enrolForTest(env, 'kiosk-b');
  });
  afterEach(async () => {
    await env.dispose();
  });

  it('refuses anonymous clients and client ids +, # and kiosk-1/tx', async () => {
    const anonymous = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-t', '#', '-C', '1', '-W', '3']);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.output).toMatch(/not authori[sz]ed|bad user name or password/i);
    for (const id of ['+', '#', 'kiosk-1/tx']) {
      const attempt = await run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-i', id, '-u', id, '-P', a.password, '-t', '#', '-C', '1', '-W', '3']);
      expect(attempt.code, id).not.toBe(0);
      expect(attempt.output, id).toMatch(/identifier rejected/i);
    }
  });

  it('refuses a wrong password', async () => {
    const wrong = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-i', 'kiosk-a', '-u', 'kiosk-a', '-P', 'not-the-secret', '-t', t.tx('kiosk-a'), '-m', 'x']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/bad user name or password|not authori[sz]ed/i);
  });

  it('does not let kiosk A subscribe to B’s results or every kiosk’s traffic', async () => {
    for (const filter of [t.txResult('kiosk-b'), t.allTx, '#']) {
      const snoop = await run('mosquitto_sub', [...as(a), '-q', '1', '-t', filter, '-C', '1', '-W', '3']);
      // mosquitto_sub 2.0 says so and stops (exit 0); a granted subscription would wait 3 s for a message.
      expect(snoop.output, filter).toMatch(/All subscription requests were denied/);
    }
  });

  it('does not let kiosk A publish into B’s namespace or publish a result: the hub never sees it', async () => {
    const listener = run('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-i', 'listener', '-u', 'hub', '-P', env.hub.embeddedBrokerCredentials!.password, '-t', 'memberkiosk/v1/devices/+/tx/result', '-v', '-W', '3']);
    // Give the listener a moment to subscribe before the forgeries.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const forged = { id: '01JAAAAAAAAAAAAAAAAAAAAAAA', deviceId: 'kiosk-b', seq: 1, status: 'rejected', code: 'CARD_LOST' };
    for (const topic of [t.tx('kiosk-b'), t.txResult('kiosk-b'), t.txResult('kiosk-a')]) {
      await run('mosquitto_pub', [...as(a), '-q', '1', '-t', topic, '-m', JSON.stringify(forged)]);
    }
    const heard = await listener;
    expect(heard.output).not.toContain('tx/result');
    expect(await env.hub.store.consumedSeqs('kiosk-b')).toBe(0);
  });
});
