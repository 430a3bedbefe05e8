/**
 * Why the broker refuses or fails a kiosk is kept for the technician (the diagnostics' connectivity.lastError):
 * a real aedes refusing every login answers CONNACK 4, which the link keeps as BROKER_AUTH_REFUSED; a port with no
 * broker at all is BROKER_UNREACHABLE. Before any failure there is none.
 */
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { startTestBroker } from '../test-support/embedded-broker.ts';
import { eventually, makeTempDir } from '../test-support/temp-dir.ts';
import { createHubLink, type HubLink } from './hub-link.ts';

describe('the link keeps why the broker last failed it', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let outbox: Outbox;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeEach(() => {
    temp = makeTempDir();
    outbox = openOutbox({ path: join(temp.dir, 'device.sqlite'), deviceId: 'kiosk-1', storeId: 'store-1', logger: createCaptureLogger().logger });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    outbox.close();
    temp.cleanup();
  });
  const link = (url: string): HubLink => {
    const l = createHubLink({ url, deviceId: 'kiosk-1', outbox, topics: createTopics(), logger: createCaptureLogger().logger, clientOptions: { reconnectPeriod: 100 }, startTimeoutMs: 300 });
    cleanups.push(() => l.stop());
    return l;
  };

  it('refused credentials: BROKER_AUTH_REFUSED with when', async () => {
    const broker = await startTestBroker(0, { refuseLogins: true });
    cleanups.push(() => broker.stop());
    const l = link(broker.url);
    expect(l.lastFailure()).toBeNull();
    await l.start();
    await eventually(() => l.lastFailure() !== null, 'a failure kept');
    expect(l.isConnected()).toBe(false);
    expect(l.lastFailure()).toMatchObject({ code: 'BROKER_AUTH_REFUSED', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('nobody listening: BROKER_UNREACHABLE', async () => {
    // A port that was free a moment ago: nothing answers on it.
    const free = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
    const l = link(`mqtt://127.0.0.1:${free}`);
    await l.start();
    await eventually(() => l.lastFailure() !== null, 'a failure kept');
    expect(l.lastFailure()).toMatchObject({ code: 'BROKER_UNREACHABLE' });
  });
});
