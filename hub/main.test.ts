import { describe, expect, it } from 'vitest';
import { DEMO_CARDS } from './demo/seed-demo-data.ts';
import { RawDeviceClient } from './testing/raw-device-client.ts';
import { enrolForTest } from './testing/enrol-for-test.ts';
import { startTestHub } from './testing/start-test-hub.ts';

describe('hub lifecycle (real aedes, real SQLite)', () => {
  it('start is idempotent, stop does not wait for connected kiosks, and the ledger survives a restart', async () => {
    const env = await startTestHub();
    const again = await env.hub.start();
    expect(again.brokerUrl).toBe(env.brokerUrl);
    const device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-life', await enrolForTest(env, 'kiosk-life'));
    await env.hub.store.identity.setDeviceMode('kiosk-life', 'attended');
    const result = await device.send(
      device.make({ kind: 'purchase', cardUid: DEMO_CARDS.silver, lines: [{ lineNo: 1, sku: 'A', category: 'c', qty: 1, unitPriceCents: 1_000 }], payments: [{ method: 'cash', amountCents: 1_000 }] }),
    );
    expect(result.status).toBe('applied');
    const started = Date.now();
    await env.hub.stop();
    // A kiosk still connected must not hold the hub's shutdown: the broker drops it.
    expect(Date.now() - started).toBeLessThan(2_000);
    await env.hub.stop();
    await device.close();

    const { brokerUrl } = await env.hub.start();
    expect(brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(await env.hub.store.lastSeq('kiosk-life')).toBe(1);
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.silver))?.balances).toEqual(result.outcome?.balances);
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });
});
