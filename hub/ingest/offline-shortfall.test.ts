import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

/**
 * A sale a kiosk took offline (within HQ's limits, on the cached balance) that the balance no longer covers when
 * it reaches the hub: applied, the rest owed on the member's shortfall account, an alert for the hub's operators
 * — never a silent refusal of a sale already handed over. Real aedes, real SQLite ledger.
 */
describe('offline sales the hub can no longer cover (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-off', await enrolForTest(env, 'kiosk-off'));
  });

  afterEach(async () => {
    await device.close();
    // The journal explains every balance, shortfall accounts included.
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  const spend = (cents: number, acceptedOffline: boolean) =>
    device.send(
      device.make({
        kind: 'purchase',
        cardUid: DEMO_CARDS.silver,
        lines: [{ lineNo: 1, sku: 'RICE', category: 'grocery', qty: 1, unitPriceCents: cents }],
        payments: [{ method: 'stored_value', amountCents: cents }],
        ...(acceptedOffline ? { acceptedOffline: true } : {}),
      }),
    );

  it('applies the offline sale, owes the uncovered part and raises OFFLINE_SHORTFALL; the same sale online is refused', async () => {
    const before = (await env.hub.store.memberViewByCard(DEMO_CARDS.silver))!;
    const held = before.balances.storedValueCents + before.balances.bonusValueCents;
    const amount = held + 5_000;

    const online = await spend(amount, false);
    expect(online).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE' });

    const offline = await spend(amount, true);
    expect(offline).toMatchObject({ status: 'applied', outcome: { valueDeltaCents: -held, shortfall: { valueCents: 5_000, points: 0 } } });
    const after = (await env.hub.store.memberViewByCard(DEMO_CARDS.silver))!;
    expect(after.balances.storedValueCents + after.balances.bonusValueCents).toBe(0);
    const alerts = await env.hub.store.deviceAlerts(10, 'kiosk-off');
    expect(alerts).toContainEqual(expect.objectContaining({ code: 'OFFLINE_SHORTFALL', detail: expect.objectContaining({ txId: offline.id, shortfallCents: 5_000 }) }));
  });
});
