/**
 * HQ's commands to one kiosk, end to end on real brokers: the hub's sender publishes on the kiosk's command topic
 * (QoS 1, not retained) and the enrolled kiosk reads it; another kiosk's login, tried as an attacker, may neither
 * read it nor publish there — on the embedded broker (real aedes in a real hub) and on Mosquitto with the dynamic
 * security roles the hub gives each kiosk at enrolment.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDeviceCommand } from '../../core/wire/device-command.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { MosquittoDynsecAccounts } from '../broker/mosquitto-dynsec-accounts.ts';
import { enrolForTest, type DeviceCredentials } from '../testing/enrol-for-test.ts';
import { startMosquittoDynsec, type DynsecMosquitto } from '../testing/start-mosquitto-dynsec.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { createDeviceCommandSender, type SendDeviceCommand } from './device-commands.ts';

const t = createTopics();
const SENT_AT = Date.parse('2026-03-01T09:00:00.000Z');

function connectAs(url: string, device: DeviceCredentials, extra: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clientId: device.deviceId, username: device.username, password: device.password, ...extra });
}

const closed = (client: MqttClient) => new Promise<void>((resolve) => (client.connected ? client.once('close', () => resolve()) : resolve()));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a client hears on its subscriptions, with the retain flag. */
function listen(client: MqttClient): { topic: string; payload: string; retain: boolean }[] {
  const heard: { topic: string; payload: string; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) => heard.push({ topic, payload: payload.toString(), retain: packet.retain }));
  return heard;
}

/**
 * Shared by both brokers: the kiosk gets its own commands; kiosk B's login can neither read nor write A's, and A
 * cannot write its own. `hub`: a client with the hub's rights, hearing every kiosk's command topic.
 */
async function attackerCannotReachCommands(url: string, hub: MqttClient, a: DeviceCredentials, b: DeviceCredentials, send: SendDeviceCommand, publishRefusal: 'disconnects' | 'drops'): Promise<void> {
  const heardByHub = listen(hub);
  await hub.subscribeAsync('memberkiosk/v1/devices/+/command', { qos: 1 });
  const kioskA = await connectAs(url, a);
  const heardByA = listen(kioskA);
  const granted = await kioskA.subscribeAsync(t.command('kiosk-a'), { qos: 1 });
  expect(granted.map((g) => g.qos)).toEqual([1]);

  // B tries to read A's commands, by name and by wildcard: refused (SUBACK 0x80 → mqtt.js rejects).
  const snoop = await connectAs(url, b);
  const heardBySnoop = listen(snoop);
  for (const filter of [t.command('kiosk-a'), 'memberkiosk/v1/devices/+/command', 'memberkiosk/v1/devices/kiosk-a/#', '#']) {
    await expect(snoop.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow(/Subscribe error|denied/i);
  }
  // B's own command topic is its own to read.
  expect((await snoop.subscribeAsync(t.command('kiosk-b'), { qos: 1 })).map((g) => g.qos)).toEqual([1]);

  const forged = JSON.stringify({ command: 'show-message', args: { text: '假消息' }, sentAt: new Date().toISOString() });
  /** A kiosk's connection publishes on a command topic: the embedded broker disconnects it, Mosquitto drops the message. */
  const forge = async (client: MqttClient, topic: string) => {
    const gone = closed(client);
    client.publish(topic, forged, { qos: 1 });
    if (publishRefusal === 'disconnects') await gone;
    else await pause(500);
  };
  // B forges a command for A (and for itself: only the hub writes commands).
  const forger = await connectAs(url, b, { clientId: 'kiosk-b' });
  await forge(forger, t.command('kiosk-a'));
  forger.end(true);

  // The hub's own command does arrive, once, not retained — to A only.
  await send('kiosk-a', { command: 'show-message', args: { text: { 'zh-CN': '欢迎光临', en: 'Welcome' }, seconds: 5 } });
  const deadline = Date.now() + 5000;
  while (heardByA.length === 0 && Date.now() < deadline) await pause(20);
  await pause(300);
  const expected = { command: 'show-message', args: { text: { 'zh-CN': '欢迎光临', en: 'Welcome' }, seconds: 5 }, sentAt: new Date(SENT_AT).toISOString() };
  expect(heardByA.map((h) => ({ topic: h.topic, retain: h.retain, command: parseDeviceCommand(Buffer.from(h.payload)) }))).toEqual([{ topic: t.command('kiosk-a'), retain: false, command: { ok: true, command: expected } }]);
  expect(heardBySnoop).toEqual([]);

  // A may not write its own command topic either.
  await forge(kioskA, t.command('kiosk-a'));
  kioskA.end(true);
  await pause(300);
  // Of everything published on command topics, only the hub's command went through.
  expect(heardByHub.map((h) => h.payload)).toEqual([JSON.stringify(expected)]);
  await snoop.endAsync(true);

  // Not retained: a kiosk connecting later finds nothing waiting.
  const later = await connectAs(url, a);
  const heardLater = listen(later);
  await later.subscribeAsync(t.command('kiosk-a'), { qos: 1 });
  await pause(300);
  expect(heardLater).toEqual([]);
  await later.endAsync(true);
}

describe('device commands on the embedded broker (real aedes in a real hub)', () => {
  let env: TestHub;
  let a: DeviceCredentials;
  let b: DeviceCredentials;
  let hubClient: MqttClient;
  let send: SendDeviceCommand;

  beforeEach(async () => {
    env = await startTestHub();
    a = await enrolForTest(env, 'kiosk-a');
    b = await enrolForTest(env, 'kiosk-b');
    hubClient = await mqtt.connectAsync(env.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0, clientId: 'hub-commands', ...env.hub.embeddedBrokerCredentials! });
    send = createDeviceCommandSender(hubClient, t, () => SENT_AT);
  });
  afterEach(async () => {
    await hubClient.endAsync(true);
    await env.dispose();
  });

  it('reaches the kiosk it names, and another kiosk’s login can neither read nor forge it', async () => {
    await attackerCannotReachCommands(env.brokerUrl, hubClient, a, b, send, 'disconnects');
  });

  it('refuses a command the kiosk would drop, and a device id that is not one, before anything is published', async () => {
    const kiosk = await connectAs(env.brokerUrl, a);
    const heard = listen(kiosk);
    await kiosk.subscribeAsync(t.command('kiosk-a'), { qos: 1 });
    for (const request of [
      { command: 'Show Message', args: {} },
      { command: 'show-message', args: { text: '' } },
      { command: 'show-message', args: { text: 'hi', seconds: 120 } },
      { command: 'beep', args: { blob: 'x'.repeat(17_000) } },
    ]) {
      await expect(send('kiosk-a', request), JSON.stringify(request).slice(0, 60)).rejects.toMatchObject({ code: 'DEVICE_COMMAND_INVALID' });
    }
    for (const deviceId of ['+', '#', 'kiosk-a/x', '']) await expect(send(deviceId, { command: 'beep', args: {} }), deviceId).rejects.toMatchObject({ code: 'DEVICE_ID_INVALID' });
    await pause(300);
    expect(heard).toEqual([]);
    await kiosk.endAsync(true);
  });
});

describe('device commands on Mosquitto with dynamic security (real broker)', () => {
  let broker: DynsecMosquitto;
  let env: TestHub;
  let a: DeviceCredentials;
  let b: DeviceCredentials;
  let hubClient: MqttClient;

  beforeEach(async () => {
    broker = await startMosquittoDynsec();
    await new MosquittoDynsecAccounts({ url: broker.adminUrl, logger: pino({ level: 'silent' }) }).ensureHubAccount('hub', 'hub-secret');
    env = await startTestHub({ broker: { mode: 'external', url: broker.url('hub', 'hub-secret'), dynsecAdminUrl: broker.adminUrl } });
    a = await enrolForTest(env, 'kiosk-a');
    b = await enrolForTest(env, 'kiosk-b');
    hubClient = await mqtt.connectAsync(broker.url('hub', 'hub-secret'), { protocolVersion: 4, reconnectPeriod: 0, clientId: 'hub-commands' });
  });
  afterEach(async () => {
    await hubClient.endAsync(true);
    await env.dispose();
    await broker.stop();
  });

  it('grants each kiosk its own command topic only: the hub’s command reaches it, another kiosk can neither read nor forge it', async () => {
    // Mosquitto drops a publish the ACL denies (it keeps the connection).
    await attackerCannotReachCommands(`mqtt://127.0.0.1:${broker.port}`, hubClient, a, b, createDeviceCommandSender(hubClient, t, () => SENT_AT), 'drops');
  });
});
