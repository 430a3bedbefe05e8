/**
 * Signed configuration between a real hub and real kiosks in two stores of two regions: a store's bundle reaches
 * that store's kiosk only (the other keeps its snapshot), a rule scoped to a region fires on the kiosk of that
 * region only — priced by the kiosk itself once the hub is gone, with the region its snapshot named — and every
 * kiosk reports what it applied in its retained state.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { enrolForTest } from '../../hub/testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { publishConfig } from '../support/hub-config.ts';
import { latestReports } from '../support/latest-reports.ts';

interface KioskState {
  connected: boolean;
  bundleVersion: number;
  snapshotVersion?: number;
  config: { snapshotVersion: number | null; rulesVersion: number | null; regionId: string | null; lastRefusal: unknown };
}

const COFFEE = { sku: 'COFFEE', category: 'drinks', qty: 1, unitPriceCents: 350 };
const TEA = { sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 500 };

async function stateOf(apiUrl: string): Promise<KioskState> {
  return (await (await fetch(`${apiUrl}/state`)).json()) as KioskState;
}

async function until(apiUrl: string, check: (s: KioskState) => boolean, what: string): Promise<KioskState> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const state = await stateOf(apiUrl);
    if (check(state)) return state;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(state.config)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as T;
}

describe('signed configuration, store and region scopes (real hub, real kiosks)', () => {
  const temp = makeTempDir('mk-e2e-config-');
  let env: TestHub | null = null;
  const devices: Device[] = [];

  afterEach(async () => {
    for (const device of devices.splice(0)) await device.stop();
    await env?.dispose();
    env = null;
    temp.cleanup();
  });

  async function startKiosk(hub: TestHub, deviceId: string, storeId: string): Promise<string> {
    const creds = await enrolForTest(hub, deviceId, { storeId });
    const device = createDevice({
      demo: true,
      deviceId,
      storeId,
      hubUrl: hub.brokerTlsUrl!,
      mqtt: { username: creds.username, password: creds.password, caPem: hub.caPem, hqRootPublicKeyPem: hub.hqRootPublicKeyPem! },
      dataDir: join(temp.dir, deviceId),
      httpPort: 0,
      logLevel: 'silent',
      tuning: { reconnectMs: 100, session: { lookupMs: 500 } },
    });
    devices.push(device);
    return (await device.start()).apiUrl;
  }

  it('applies a store’s bundle on that store’s kiosk only, and a region-scoped rule on that region’s kiosk only', async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    const hub = env;
    for (const [regionId, name] of [['east', 'East'], ['west', 'West']] as const) await hub.hub.fleet.addRegion({ regionId, name });
    await hub.hub.fleet.addStore({ storeId: 'store-e1', name: 'E1', regionId: 'east' });
    await hub.hub.fleet.addStore({ storeId: 'store-w1', name: 'W1', regionId: 'west' });
    const east = await startKiosk(hub, 'kiosk-e1', 'store-e1');
    const west = await startKiosk(hub, 'kiosk-w1', 'store-w1');
    const eastFirst = await until(east, (s) => s.config.snapshotVersion !== null, 'kiosk-e1 never got a snapshot');
    const westFirst = await until(west, (s) => s.config.snapshotVersion !== null, 'kiosk-w1 never got a snapshot');

    // HQ-wide, a rule scoped to the west region: coffee ¥2.00 there.
    await publishConfig(hub, 'global', { rules: { rules: [{ kind: 'member_price', id: 'west-coffee', label: 'west coffee', prices: { COFFEE: 200 }, scope: { regions: ['west'] } }] } });
    // Newer than each kiosk's first snapshot (numbers are hub-wide: kiosk-w1's first may well be 2 already).
    const eastAfterGlobal = await until(east, (s) => s.config.regionId === 'east' && (s.config.snapshotVersion ?? 0) > (eastFirst.config.snapshotVersion ?? 0), 'kiosk-e1 never applied the global bundle');
    const westAfterGlobal = await until(west, (s) => s.config.regionId === 'west' && (s.config.snapshotVersion ?? 0) > (westFirst.config.snapshotVersion ?? 0), 'kiosk-w1 never applied the global bundle');

    // Store e1 only: tea ¥1.00.
    const published = await publishConfig(hub, 'store:store-e1', { rules: { rules: [{ kind: 'member_price', id: 'e1-tea', label: 'e1 tea', prices: { TEA: 100 } }] } });
    expect(published.kiosks).toEqual(['kiosk-e1']);
    const eastNow = await until(east, (s) => (s.config.snapshotVersion ?? 0) > (eastAfterGlobal.config.snapshotVersion ?? 0), 'kiosk-e1 never applied its store’s bundle');
    expect(eastNow.bundleVersion).not.toBe(eastAfterGlobal.bundleVersion);
    // The west kiosk keeps its snapshot (a moment later still).
    await new Promise((r) => setTimeout(r, 700));
    expect((await stateOf(west)).config).toMatchObject({ snapshotVersion: westAfterGlobal.config.snapshotVersion, rulesVersion: westAfterGlobal.config.rulesVersion, lastRefusal: null });

    // Each kiosk's retained state report says what it applied.
    const watcher = await mqtt.connectAsync(hub.brokerUrl, { ...hub.hub.embeddedBrokerCredentials!, clientId: `watch-${process.pid}` });
    // Not the last message received: a kiosk's throttled report can go out live just as the watcher subscribes, and
    // the broker then sends the older retained copy after it (e2e/support/latest-reports.ts).
    const reports = latestReports(watcher, (payload) => JSON.parse(payload.toString()) as { config: { snapshotVersion: number } });
    const topics = createTopics();
    await watcher.subscribeAsync([topics.state('kiosk-e1'), topics.state('kiosk-w1')], { qos: 1 });
    const reportDeadline = Date.now() + 5_000;
    // The two retained reports arrive in either order: wait for both.
    const bothReported = () =>
      reports.get(topics.state('kiosk-e1'))?.config.snapshotVersion === eastNow.config.snapshotVersion &&
      reports.get(topics.state('kiosk-w1'))?.config.snapshotVersion === westAfterGlobal.config.snapshotVersion;
    while (!bothReported() && Date.now() < reportDeadline) await new Promise((r) => setTimeout(r, 50));
    expect(reports.get(topics.state('kiosk-e1'))?.config.snapshotVersion).toBe(eastNow.config.snapshotVersion);
    expect(reports.get(topics.state('kiosk-w1'))?.config.snapshotVersion).toBe(westAfterGlobal.config.snapshotVersion);
    await watcher.endAsync(true);

    // The members are seen while the hub answers; then the hub goes away and each kiosk prices with its own rules.
    await post(`${east}/sim/tap`, { uid: DEMO_CARDS.gold });
    await post(`${west}/sim/tap`, { uid: DEMO_CARDS.gold });
    await env.dispose();
    env = null;
    const quote = async (apiUrl: string, line: typeof COFFEE) => (await post<{ source: string; quote: { totalCents: number } }>(`${apiUrl}/quote`, { lines: [line] }));
    await until(east, (s) => !s.connected, 'kiosk-e1 still connected');
    expect(await quote(east, COFFEE)).toMatchObject({ source: 'kiosk', quote: { totalCents: 350 } });
    expect(await quote(east, TEA)).toMatchObject({ source: 'kiosk', quote: { totalCents: 100 } });
    expect(await quote(west, COFFEE)).toMatchObject({ source: 'kiosk', quote: { totalCents: 200 } });
    expect(await quote(west, TEA)).toMatchObject({ source: 'kiosk', quote: { totalCents: 500 } });
  }, 60_000);
});
