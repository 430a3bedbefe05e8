/**
 * HQ's commands as the kiosk's link takes them, over a real aedes broker: checked and told as `command`, a retained
 * copy dropped (commands are never retained: it would replay on every connect), and a listener that throws kept
 * out of the link.
 */
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceCommand } from '../../core/wire/device-command.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import { createCaptureLogger, type CapturedLogger } from '../test-support/capture-logger.ts';
import { startTestBroker, type TestBroker } from '../test-support/embedded-broker.ts';
import { eventually, makeTempDir } from '../test-support/temp-dir.ts';
import { createHubLink, type HubLink } from './hub-link.ts';

const topics = createTopics();
const command = (name: string, args: Record<string, unknown> = {}) => JSON.stringify({ command: name, args, sentAt: new Date().toISOString() });

describe('commands from the hub on the kiosk link (real aedes)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let log: CapturedLogger;
  let outbox: Outbox;
  let broker: TestBroker;
  let hub: MqttClient;
  let link: HubLink;
  let heard: DeviceCommand[];

  beforeEach(async () => {
    temp = makeTempDir();
    log = createCaptureLogger();
    outbox = openOutbox({ path: join(temp.dir, 'device.sqlite'), deviceId: 'kiosk-1', storeId: 'store-1', logger: log.logger });
    broker = await startTestBroker();
    hub = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: 'hub-test', reconnectPeriod: 0 });
    heard = [];
  });
  afterEach(async () => {
    await link.stop();
    await hub.endAsync(true);
    await broker.stop();
    outbox.close();
    temp.cleanup();
  });

  async function startLink(): Promise<void> {
    link = createHubLink({ url: broker.url, deviceId: 'kiosk-1', outbox, topics, logger: log.logger, clientOptions: { reconnectPeriod: 100 } });
    link.on('command', (c) => heard.push(c));
    await link.start();
  }

  /** The command subscription follows the link's ready: ping until one arrives. */
  async function untilSubscribed(): Promise<void> {
    const deadline = Date.now() + 5000;
    while (heard.length === 0) {
      if (Date.now() > deadline) throw new Error('no command reached the link');
      await hub.publishAsync(topics.command('kiosk-1'), command('ping'), { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    heard.length = 0;
  }

  it('drops a retained command a kiosk finds on connecting, then takes live ones', async () => {
    await hub.publishAsync(topics.command('kiosk-1'), command('show-message', { text: 'from this morning' }), { qos: 1, retain: true });
    await startLink();
    await eventually(() => log.withCode('HUB_COMMAND_MALFORMED').length === 1, 'the retained command dropped');
    expect(log.withCode('HUB_COMMAND_MALFORMED')[0]).toMatchObject({ reason: expect.stringContaining('retained') });
    await untilSubscribed();
    await hub.publishAsync(topics.command('kiosk-1'), command('show-message', { text: 'now' }), { qos: 1 });
    await eventually(() => heard.length === 1, 'the live command');
    expect(heard[0]).toMatchObject({ command: 'show-message', args: { text: 'now' } });
    // Another kiosk's command never reaches this one.
    await hub.publishAsync(topics.command('kiosk-2'), command('show-message', { text: 'not yours' }), { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toHaveLength(1);
  });

  it('keeps a listener that throws out of the link: logged, and the link goes on', async () => {
    await startLink();
    await untilSubscribed();
    link.on('command', () => {
      throw new Error('a broken listener');
    });
    await hub.publishAsync(topics.command('kiosk-1'), command('open-door'), { qos: 1 });
    await eventually(() => log.records.some((r) => r.msg === 'a command listener failed; the link goes on'), 'the failure logged');
    await hub.publishAsync(topics.command('kiosk-1'), command('close-door'), { qos: 1 });
    await eventually(() => heard.some((c) => c.command === 'close-door'), 'the next command');
    expect(link.isConnected()).toBe(true);
  });
});
