import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

describe('embedded broker permissions (real aedes)', () => {
  let env: TestHub;

  beforeEach(async () => {
    env = await startTestHub();
  });

  afterEach(async () => {
    await env.dispose();
  });

  it('disconnects a device that publishes into another device’s namespace; the hub never sees it', async () => {
    const intruder = await mqtt.connectAsync(env.brokerUrl, { clientId: 'kiosk-a', protocolVersion: 4, reconnectPeriod: 0 });
    const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
    intruder.publish('memberkiosk/v1/devices/kiosk-b/tx', JSON.stringify({ id: '01JAAAAAAAAAAAAAAAAAAAAAAA', deviceId: 'kiosk-b', seq: 1 }), { qos: 1 });
    await closed;
    expect(await env.hub.store.consumedSeqs('kiosk-b')).toBe(0);
    intruder.end(true);
  });

  it('refuses a device’s subscription to another device’s results, and the hub login without its secret', async () => {
    const snoop = await mqtt.connectAsync(env.brokerUrl, { clientId: 'kiosk-a', protocolVersion: 4, reconnectPeriod: 0 });
    // mqtt.js turns a refused grant (SUBACK 0x80) into a rejected promise.
    await expect(snoop.subscribeAsync('memberkiosk/v1/devices/kiosk-b/tx/result', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const own = await snoop.subscribeAsync('memberkiosk/v1/devices/kiosk-a/tx/result', { qos: 1 });
    expect(own.map((g) => g.qos)).toEqual([1]);
    await snoop.endAsync();
    const fakeHub = await mqtt
      .connectAsync(env.brokerUrl, { clientId: 'fake-hub', username: 'hub', password: 'guess', protocolVersion: 4, reconnectPeriod: 0 })
      .then((c) => (c.end(true), 'connected'))
      .catch((error: Error) => error.message);
    expect(fakeHub).not.toBe('connected');
  });
});

describe('the reserved HQ device id (real aedes)', () => {
  it('refuses a client that connects as "hq", and the hub refuses transactions published under it', async () => {
    const env = await startTestHub();
    try {
      const impostor = await mqtt
        .connectAsync(env.brokerUrl, { clientId: 'hq', protocolVersion: 4, reconnectPeriod: 0 })
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
