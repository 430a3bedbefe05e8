/**
 * A kiosk's clock is not trusted: the hub measures its offset on connect, dates transactions with the
 * corrected time, and replaces an impossible one (in the future, before the kiosk's previous transaction,
 * before any kiosk existed) with its own receive time, raising an alert. Real hub, bare MQTT client.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { expirePoints } from '../hq/expire-points.ts';
import { RawDeviceClient, type RawTxBody } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const DAY = 86_400_000;
const purchase = (cents: number): RawTxBody => ({
  kind: 'purchase',
  cardUid: DEMO_CARDS.gold,
  lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: cents }],
  payments: [{ method: 'cash', amountCents: cents }],
});
const iso = (ms: number) => new Date(ms).toISOString();

describe("the hub does not trust a kiosk's clock (real aedes, real SQLite)", () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-c1', await enrolForTest(env, 'kiosk-c1'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-c1', 'attended');
  });
  afterEach(async () => {
    await device.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  function ledgerTime(txId: string): string {
    const db = new Database(join(env.dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT created_at FROM transactions WHERE tx_id = ?').get(txId) as { created_at: string }).created_at;
    } finally {
      db.close();
    }
  }

  it('measures the offset when asked on connect, records it, and alerts when it is large', async () => {
    const kioskTime = Date.now() - 3_600_000;
    const answer = await device.lookup({ op: 'clock.sync', kioskTime });
    expect(answer).toMatchObject({ ok: true, clock: { hubTime: expect.any(Number) } });
    const offset = (answer as { clock: { offsetMs: number } }).clock.offsetMs;
    expect(offset).toBeGreaterThanOrEqual(3_600_000);
    expect(offset).toBeLessThan(3_600_000 + 5_000);
    expect(await env.hub.store.deviceAlerts(5, 'kiosk-c1')).toEqual([expect.objectContaining({ code: 'CLOCK_SKEW', detail: expect.objectContaining({ offsetMs: offset }) })]);
  });

  it('dates a transaction from 1970 with its receive time, so its points do not expire at the next sweep', async () => {
    const before = Date.now();
    const reset = device.make(purchase(10_000), { createdAt: '1970-01-01T00:00:05.000Z' });
    const result = await device.send(reset);
    expect(result).toMatchObject({ status: 'applied', clock: { usedHubTime: true, reason: 'before_earliest' } });
    expect(Date.parse(ledgerTime(reset.id))).toBeGreaterThanOrEqual(before - 1_000);
    expect(await expirePoints(env.hub.store, new Date().toISOString())).toEqual({ members: 0, points: 0 });
    expect(await env.hub.store.deviceAlerts(5, 'kiosk-c1')).toEqual([expect.objectContaining({ code: 'CLOCK_IMPLAUSIBLE_TX', detail: expect.objectContaining({ txId: reset.id, reason: 'before_earliest' }) })]);
  });

  it('dates a transaction from the year 9999 with its receive time', async () => {
    const future = device.make(purchase(100), { createdAt: '9999-12-31T23:59:59.000Z' });
    expect(await device.send(future)).toMatchObject({ status: 'applied', clock: { usedHubTime: true, reason: 'future' } });
    expect(Date.parse(ledgerTime(future.id))).toBeLessThanOrEqual(Date.now());
  });

  it('corrects the kiosk time with the offset it reports', async () => {
    // The kiosk's clock runs two hours slow; the hub measured +2 h when it connected.
    const slow = device.make(purchase(100), { createdAt: iso(Date.now() - 2 * 3_600_000), clockOffsetMs: 2 * 3_600_000 });
    const result = await device.send(slow);
    expect(result.status).toBe('applied');
    expect(result.clock).toBeUndefined();
    expect(Math.abs(Date.parse(ledgerTime(slow.id)) - Date.now())).toBeLessThan(5_000);
  });

  it('keeps the time of genuine offline sales however old, and refuses one dated before the previous', async () => {
    const fourDays = device.make(purchase(100), { createdAt: iso(Date.now() - 4 * DAY) });
    const threeDays = device.make(purchase(100), { createdAt: iso(Date.now() - 3 * DAY) });
    expect((await device.send(fourDays)).clock).toBeUndefined();
    expect((await device.send(threeDays)).clock).toBeUndefined();
    expect(ledgerTime(fourDays.id)).toBe(fourDays.createdAt);
    expect(ledgerTime(threeDays.id)).toBe(threeDays.createdAt);
    const backwards = device.make(purchase(100), { createdAt: iso(Date.now() - 5 * DAY) });
    expect(await device.send(backwards)).toMatchObject({ status: 'applied', clock: { usedHubTime: true, reason: 'before_previous' } });
    expect(Date.parse(ledgerTime(backwards.id))).toBeGreaterThan(Date.now() - 60_000);
  });
});
