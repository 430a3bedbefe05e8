/**
 * The hub measures a kiosk's clock whenever the kiosk connects, and the kiosk stamps the offset on every
 * transaction it makes afterwards. A real hub (embedded aedes, SQLite) and the real link and outbox.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import type { ClockMeasurement } from '../../device/link/measure-clock.ts';
import { createHubLink } from '../../device/link/hub-link.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { openOutbox } from '../../device/outbox/sqlite-outbox.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { postJson } from '../support/http-json.ts';
import { tapMember } from '../support/kiosk-api.ts';
import { purchaseBody } from '../support/purchase.ts';
import { kioskCredentials } from '../support/kiosk-credentials.ts';

const HOUR = 3_600_000;

describe("a kiosk's clock, measured by the hub on connect", () => {
  let temp: ReturnType<typeof makeTempDir>;
  let env: TestHub | null = null;
  let device: Device | null = null;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeEach(() => {
    temp = makeTempDir('mk-e2e-clock-');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await device?.stop();
    device = null;
    await env?.dispose();
    env = null;
    temp.cleanup();
  });

  it('finds a kiosk clock an hour slow, records it at the hub with an alert, and tells the kiosk the offset', async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    const logger = pino({ level: 'silent' });
    const outbox = openOutbox({ path: join(temp.dir, 'device.sqlite'), deviceId: 'kiosk-slow', storeId: DEMO_STORE_ID, logger });
    cleanups.push(() => outbox.close());
    const link = createHubLink({ url: env.brokerUrl, deviceId: 'kiosk-slow', outbox, topics: createTopics(), logger, clientOptions: await kioskCredentials(env, 'kiosk-slow'), now: () => Date.now() - HOUR });
    cleanups.push(() => link.stop());
    const measured = new Promise<ClockMeasurement>((resolve) => link.once('clock', resolve));
    await link.start();
    const clock = await measured;
    // hub − kiosk = +1 h, to within the round trip on loopback.
    expect(Math.abs(clock.offsetMs - HOUR)).toBeLessThan(1_000);
    expect(Math.abs(clock.hubOffsetMs - HOUR)).toBeLessThan(1_000);
    expect(await env.hub.store.deviceAlerts(5, 'kiosk-slow')).toEqual([expect.objectContaining({ code: 'CLOCK_SKEW' })]);
  });

  it('stamps the measured offset on the transactions a kiosk makes, and keeps it across a restart', async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    const kioskDir = join(temp.dir, 'kiosk');
    const config = { demo: true, deviceId: 'kiosk-clock', storeId: DEMO_STORE_ID, hubUrl: env.brokerTlsUrl!, mqtt: await kioskCredentials(env, 'kiosk-clock'), dataDir: kioskDir, httpPort: 0, logLevel: 'silent' as const };
    device = createDevice(config);
    const { apiUrl } = await device.start();
    const settings = () => JSON.parse(readFileSync(join(kioskDir, 'settings.json'), 'utf8')) as { clockOffsetMs?: number; clockMeasuredAt?: string };
    await vi.waitFor(() => expect(settings().clockOffsetMs).toEqual(expect.any(Number)), { timeout: 5_000, interval: 20 });
    expect(Math.abs(settings().clockOffsetMs!)).toBeLessThan(1_000);
    // Tapped while the hub answers: the kiosk caches the member for the offline sale below.
    await tapMember(apiUrl, DEMO_CARDS.gold);
    const sold = await postJson<{ id: string }>(`${apiUrl}/tx/purchase`, purchaseBody(500));
    expect(sold.status).toBe(200);
    await device.stop();

    // Restarted while the hub is away: the offset measured last time is still stamped.
    await env.hub.stop();
    device = createDevice(config);
    const again = await device.start();
    expect(await tapMember(again.apiUrl, DEMO_CARDS.gold)).toMatchObject({ source: 'cache', offline: true });
    const queued = await postJson<{ id: string; status: string }>(`${again.apiUrl}/tx/purchase`, purchaseBody(500));
    expect(queued.body.status).toBe('queued');
    await device.stop();
    device = null;
    const outbox = openOutbox({ path: join(kioskDir, 'device.sqlite'), deviceId: 'kiosk-clock', storeId: DEMO_STORE_ID, logger: pino({ level: 'silent' }) });
    try {
      for (const id of [sold.body.id, queued.body.id]) {
        expect(JSON.parse(outbox.get(id)!.payload)).toMatchObject({ v: TX_FORMAT, clockOffsetMs: settings().clockOffsetMs });
      }
    } finally {
      outbox.close();
    }
  });
});
