import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { openOutbox } from '../outbox/sqlite-outbox.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { startTestBroker } from '../test-support/embedded-broker.ts';
import { startFakeHub } from '../test-support/fake-hub.ts';
import { eventually, makeTempDir } from '../test-support/temp-dir.ts';
import { createHubLink } from './hub-link.ts';

const topics = createTopics();

describe('hub link and the hub’s availability announcements (real aedes, fake hub)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('treats an announced-offline hub as unreachable (look-ups answer at once), and resends when it is back', async () => {
    const temp = makeTempDir();
    cleanups.push(() => temp.cleanup());
    const broker = await startTestBroker();
    cleanups.push(() => broker.stop());
    const fakeHub = await startFakeHub({ url: broker.url });
    cleanups.push(() => fakeHub.stop());
    const log = createCaptureLogger();
    const outbox = openOutbox({ path: join(temp.dir, 'kiosk.sqlite'), deviceId: 'kiosk-1', storeId: 'store-1', logger: log.logger });
    cleanups.push(() => outbox.close());
    const link = createHubLink({ url: broker.url, deviceId: 'kiosk-1', outbox, topics, logger: log.logger, clientOptions: { reconnectPeriod: 100 }, stallResendMs: 60_000 });
    cleanups.push(() => link.stop());
    await link.start();
    expect(link.isConnected()).toBe(true);

    const announcer = await mqtt.connectAsync(broker.url, { clientId: 'announcer', protocolVersion: 4, reconnectPeriod: 0 });
    cleanups.push(() => announcer.endAsync());
    await announcer.publishAsync(topics.hubAvailability, 'offline', { qos: 1, retain: true });
    await eventually(() => !link.isConnected(), 'link sees the hub offline');
    // Answered from what the link knows, not by waiting out the lookup's own timeout (a minute here).
    const started = Date.now();
    expect(await link.lookup({ op: 'member.byCard', cardUid: '04A1B2C3' }, 60_000)).toBeNull();
    expect(Date.now() - started).toBeLessThan(10_000);

    // A transaction published while the hub is away is lost by nobody: the hub holds its answer back here,
    // and the live "online" announcement makes the link send it again.
    fakeHub.pauseTransactions();
    const tx = outbox.append({ kind: 'top_up', cardUid: '04A1B2C3', amountCents: 100, tender: 'cash', staffCardUid: 'AABBCCDD' });
    link.kick();
    await eventually(() => fakeHub.heldCount() === 1, 'the hub received it once');
    await announcer.publishAsync(topics.hubAvailability, 'online', { qos: 1, retain: true });
    await eventually(() => link.isConnected(), 'link sees the hub online');
    await eventually(() => fakeHub.heldCount() === 2, 'resent after the hub came back');
    fakeHub.resumeTransactions();
    await eventually(() => outbox.get(tx.id)?.status === 'done', 'closed');
  });
});
