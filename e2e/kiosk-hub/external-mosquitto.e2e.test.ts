import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { startMosquitto, type MosquittoBroker } from '../../hub/testing/start-mosquitto.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';

describe('hub and kiosk on an external Mosquitto broker (real mosquitto 2, password file + ACL)', () => {
  let broker: MosquittoBroker | null = null;
  let env: TestHub | null = null;
  let device: Device | null = null;
  const temp = makeTempDir('mk-mosq-');

  afterEach(async () => {
    await device?.stop();
    const audit = await env?.hub.store.audit();
    await env?.dispose();
    await broker?.stop();
    temp.cleanup();
    if (audit !== undefined) expect(audit).toEqual([]);
  });

  it('carries look-ups and transactions between a kiosk and the hub exactly as the embedded broker does', async () => {
    broker = await startMosquitto({ hub: 'hub-secret', 'kiosk-mq': 'kiosk-secret' });
    env = await startTestHub({ dataDir: join(temp.dir, 'hub'), broker: { mode: 'external', url: broker.url('hub', 'hub-secret') } });
    // A counter kiosk: it asks the hub for its profile on connect, through Mosquitto, and then takes cash.
    await env.hub.store.identity.setDeviceMode('kiosk-mq', 'attended');
    device = createDevice({
      demo: true,
      deviceId: 'kiosk-mq',
      storeId: DEMO_STORE_ID,
      hubUrl: broker.url('kiosk-mq', 'kiosk-secret'),
      dataDir: join(temp.dir, 'kiosk'),
      httpPort: 0,
      logLevel: 'silent',
    });
    const { apiUrl } = await device.start();
    await vi.waitFor(async () => expect(await (await fetch(`${apiUrl}/state`)).json()).toMatchObject({ connected: true, mode: 'attended' }), { timeout: 5_000, interval: 20 });
    const tap = (await (await fetch(`${apiUrl}/sim/tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: DEMO_CARDS.silver }) })).json()) as {
      session: { name: string; source?: string };
    };
    expect(tap.session).toMatchObject({ name: 'member', source: 'hub' });
    const bought = (await (
      await fetch(`${apiUrl}/tx/purchase`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lines: [{ sku: 'RICE', category: 'grocery', qty: 1, unitPriceCents: 5_000 }], payments: [{ method: 'cash', amountCents: 5_000 }] }),
      })
    ).json()) as { status: string; result?: { outcome?: { pointsEarned: number } } };
    // silver ×1.2 on 50 yuan = 60 points
    expect(bought).toMatchObject({ status: 'applied', result: { outcome: { pointsEarned: 60 } } });
    expect(await env.hub.store.consumedSeqs('kiosk-mq')).toBe(1);

    // The ACL lets a kiosk hear the hub's availability: when the hub goes, the kiosk knows at once and queues
    // instead of waiting for an answer that cannot come.
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
    env = null;
    await vi.waitFor(async () => expect(await (await fetch(`${apiUrl}/state`)).json()).toMatchObject({ connected: false }), { timeout: 2_000, interval: 20 });
  });

  it('enforces the documented ACL: a device cannot publish into another device’s namespace', async () => {
    broker = await startMosquitto({ hub: 'hub-secret', 'kiosk-a': 'a-secret', 'kiosk-b': 'b-secret' });
    env = await startTestHub({ dataDir: join(temp.dir, 'hub'), broker: { mode: 'external', url: broker.url('hub', 'hub-secret') } });
    const intruder = await mqtt.connectAsync(broker.url('kiosk-a', 'a-secret'), { clientId: 'kiosk-a', protocolVersion: 4, reconnectPeriod: 0 });
    await intruder.subscribeAsync('memberkiosk/v1/devices/kiosk-a/tx/result', { qos: 1 });
    const ownAnswer = new Promise<string>((resolve) => intruder.once('message', (_topic, payload) => resolve(payload.toString())));
    // Mosquitto accepts and silently drops a publish the ACL forbids (MQTT 3.1.1 has no way to say no). A
    // broker keeps one client's messages in order, so once the hub has answered the garbage kiosk-a sent to its
    // own namespace afterwards, the forbidden one would have reached the hub before it, had it got through.
    await intruder.publishAsync('memberkiosk/v1/devices/kiosk-b/tx', JSON.stringify({ id: '01JAAAAAAAAAAAAAAAAAAAAAAA', deviceId: 'kiosk-b', seq: 1 }), { qos: 1 });
    await intruder.publishAsync('memberkiosk/v1/devices/kiosk-a/tx', 'not json', { qos: 1 });
    expect(JSON.parse(await ownAnswer)).toMatchObject({ status: 'rejected', code: 'TX_MALFORMED' });
    expect(await env.hub.store.consumedSeqs('kiosk-b')).toBe(0);
    const refused = await mqtt
      .connectAsync(broker.url('kiosk-a', 'wrong'), { clientId: 'kiosk-a2', protocolVersion: 4, reconnectPeriod: 0 })
      .then((c) => (c.end(true), 'connected'))
      .catch((error: Error) => error.message);
    expect(refused).not.toBe('connected');
    await intruder.endAsync();
  });
});
