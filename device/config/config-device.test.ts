/**
 * Signed configuration on a whole kiosk (createDevice) over a real broker, with the hub played by the fake hub:
 * it answers `config.current` and publishes retained sets. What the kiosk applies, reports in its retained state
 * and names on transactions; what it refuses and tells; and the offline limits on its HTTP API.
 */
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigContent } from '../../core/config/config-content.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { createDevice, type Device } from '../main.ts';
import { SOFTWARE_VERSION } from '../software-version.ts';
import { kioskSet, makeKeys, scopeBundle } from '../test-support/config-sets.ts';
import { startTestBroker, type TestBroker } from '../test-support/embedded-broker.ts';
import { startFakeHub, type FakeHub } from '../test-support/fake-hub.ts';
import { makeMember } from '../test-support/members.ts';
import { eventually, makeTempDir } from '../test-support/temp-dir.ts';

const KIOSK = { deviceId: 'kiosk-1', storeId: 'store-001', regionId: 'east' };
const CARD = '04A1B2C3D4';
const json = { 'content-type': 'application/json' };
const topics = createTopics();
const keys = makeKeys();

/** HQ-wide: a region-scoped member price (coffee ¥1.00 in the east), receipt texts, offline limits. */
const globalContent: ConfigContent = {
  rules: { rules: [{ kind: 'member_price', id: 'east-coffee', label: 'east coffee', prices: { COFFEE: 100 }, scope: { regions: ['east'] } }] },
  receipt: { header: [{ 'zh-CN': '一号店', en: 'Store One' }], footer: [{ 'zh-CN': '谢谢惠顾' }] },
  offlineLimits: { perCardPerDayCents: 30_000, pointsPerCardPerDay: 5_000, spendsPerCard: 3, kioskExposureCents: 200_000, maxOfflineHours: 72 },
};
const storeContent: ConfigContent = { items: [{ sku: 'TEA', category: 'drinks', priceCents: 500, name: { 'zh-CN': '茶', en: 'Tea' } }], screen: { idleSeconds: 90 } };

function validSet(snapshotVersion = 3, rulesVersion = 5, expiresInMs?: number) {
  return kioskSet(keys, KIOSK, [scopeBundle(keys, 'global', snapshotVersion, globalContent), scopeBundle(keys, 'store/store-001', 1, storeContent)], { snapshotVersion, rulesVersion, ...(expiresInMs === undefined ? {} : { expiresInMs }) });
}

interface StateReport {
  software: string;
  outboxDepth: number;
  clockOffsetMs: number | null;
  config: { snapshotVersion: number | null; rulesVersion: number | null; scopeVersions: Record<string, number>; expires: string | null; lastRefusal: { code: string; detail: string; version: number | null; at: string } | null };
  lastAlert: { code: string; detail: Record<string, unknown> } | null;
  drivers: unknown;
}

describe('signed configuration on the kiosk (real broker)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let broker: TestBroker;
  let hub: FakeHub;
  let watcher: MqttClient;
  let reports: StateReport[];
  let seen: Transaction[];
  const configSets = new Map<string, unknown>();
  const devices: Device[] = [];

  beforeEach(async () => {
    temp = makeTempDir('mk-config-device-');
    broker = await startTestBroker();
    seen = [];
    configSets.clear();
    configSets.set(KIOSK.deviceId, validSet());
    hub = await startFakeHub({
      url: broker.url,
      members: new Map([[CARD, makeMember(CARD, { balances: { storedValueCents: 99_650, bonusValueCents: 0, points: 800 } })]]),
      profile: { mode: 'attended' },
      configSets,
      decide: (tx) => {
        seen.push(tx);
        return { status: 'applied' };
      },
    });
    reports = [];
    watcher = await mqtt.connectAsync(broker.url, { clientId: `watcher-${process.pid}`, reconnectPeriod: 100 });
    watcher.on('message', (_topic, payload) => reports.push(JSON.parse(payload.toString()) as StateReport));
    await watcher.subscribeAsync(topics.state(KIOSK.deviceId), { qos: 1 });
  });
  afterEach(async () => {
    for (const device of devices.splice(0)) await device.stop();
    await watcher.endAsync(true);
    await hub.stop();
    await broker.stop();
    temp.cleanup();
  });

  function make(): Device {
    const device = createDevice({
      demo: true,
      deviceId: KIOSK.deviceId,
      storeId: KIOSK.storeId,
      hubUrl: broker.url,
      mqtt: { username: KIOSK.deviceId, password: 'secret', hqRootPublicKeyPem: keys.root.publicKeyPem },
      dataDir: join(temp.dir, 'kiosk'),
      httpPort: 0,
      logLevel: 'silent',
      tuning: { reconnectMs: 100, resultWaitMs: 1000, session: { lookupMs: 300 } },
    });
    devices.push(device);
    return device;
  }
  const getJson = async <T>(url: string) => (await (await fetch(url)).json()) as T;
  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: json, body: JSON.stringify(body) });
  const lastReport = () => reports.at(-1);
  const untilReport = (check: (r: StateReport) => boolean, what: string) => eventually(() => reports.some(check), what, 5_000);
  const stateOf = (apiUrl: string) => getJson<{ bundleVersion: number; snapshotVersion?: number; connected: boolean; alerts: { code: string }[]; config: { snapshotVersion: number | null; items: { sku: string }[]; lastRefusal: { code: string } | null } }>(`${apiUrl}/state`);

  it('applies the hub’s set on connect, reports it in its retained state, and names it on every transaction', async () => {
    const { apiUrl } = await make().start();
    await untilReport((r) => r.config?.snapshotVersion === 3, 'the state report names snapshot 3');
    expect(lastReport()).toMatchObject({
      software: SOFTWARE_VERSION,
      outboxDepth: 0,
      config: { snapshotVersion: 3, rulesVersion: 5, scopeVersions: { global: 3, 'store/store-001': 1 }, lastRefusal: null },
      drivers: { cardReader: { connected: true } },
    });
    expect(lastReport()?.config.expires).toMatch(/^\d{4}-/);
    expect(SOFTWARE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    const state = await stateOf(apiUrl);
    expect(state).toMatchObject({ bundleVersion: 5, snapshotVersion: 3, config: { snapshotVersion: 3, items: [{ sku: 'TEA' }] } });
    expect(await getJson(`${apiUrl}/config`)).toMatchObject({ config: { receipt: { header: [{ 'zh-CN': '一号店' }] }, screen: { idleSeconds: 90 }, offlineLimits: { perCardPerDayCents: 30_000 } } });

    await post(`${apiUrl}/sim/tap`, { uid: CARD });
    const bought = await post(`${apiUrl}/tx/purchase`, { lines: [{ sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 500 }], payments: [{ method: 'stored_value', amountCents: 500 }] });
    expect(bought.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ kind: 'purchase', bundleVersion: 5, snapshotVersion: 3 });
    expect(seen.at(-1)).not.toHaveProperty('acceptedOffline');
    // HQ's receipt texts, in the receipt's language: zh-CN by default (HQ's English header stays off a Chinese receipt).
    const receipt = await getJson<{ receiptText: string }>(`${apiUrl}/session`);
    expect(receipt.receiptText).toContain('一号店');
    expect(receipt.receiptText).not.toContain('Store One');
    expect(receipt.receiptText).toContain('谢谢惠顾');
  });

  it('refuses tampered, older, expired and wrongly scoped sets from the retained topic, keeps its snapshot, and tells the hub why', async () => {
    const { apiUrl } = await make().start();
    await untilReport((r) => r.config?.snapshotVersion === 3, 'snapshot 3 applied');

    const tampered = structuredClone(validSet(4, 6));
    tampered.bundles[0]!.signed.content = { offlineLimits: { perCardPerDayCents: 99_999_999, pointsPerCardPerDay: 0, spendsPerCard: 99, kioskExposureCents: 99_999_999, maxOfflineHours: 9999 } };
    const otherStore = kioskSet(keys, { ...KIOSK, storeId: 'store-002' }, [scopeBundle(keys, 'global', 4, {})], { snapshotVersion: 4 });
    const expired = kioskSet(keys, KIOSK, [scopeBundle(keys, 'global', 4, {})], { snapshotVersion: 4, expiresInMs: -60_000 });
    const older = validSet(2, 4);
    for (const [set, code] of [[tampered, 'CONFIG_SIGNATURE_INVALID'], [older, 'CONFIG_ROLLBACK'], [expired, 'CONFIG_EXPIRED'], [otherStore, 'CONFIG_WRONG_SCOPE']] as const) {
      await hub.publishConfigSet(KIOSK.deviceId, set);
      await untilReport((r) => r.config?.lastRefusal?.code === code, `the state report says ${code}`);
      expect(lastReport()).toMatchObject({ config: { snapshotVersion: 3, rulesVersion: 5, lastRefusal: { code } }, lastAlert: { code: 'CONFIG_REFUSED', detail: { code } } });
      expect(await stateOf(apiUrl)).toMatchObject({ bundleVersion: 5, snapshotVersion: 3, config: { lastRefusal: { code } } });
    }
    expect((await stateOf(apiUrl)).alerts.filter((a) => a.code === 'CONFIG_REFUSED')).toHaveLength(4);

    // A newer valid set published while connected is applied and reported.
    await hub.publishConfigSet(KIOSK.deviceId, validSet(4, 6));
    await untilReport((r) => r.config?.snapshotVersion === 4, 'snapshot 4 applied from the retained topic');
    expect(lastReport()?.config).toMatchObject({ rulesVersion: 6, scopeVersions: { global: 4 } });
  });

  it('offline: prices with its region’s rules, refuses a spend beyond the limits with 409, and marks what it took', async () => {
    const { apiUrl } = await make().start();
    await untilReport((r) => r.config?.snapshotVersion === 3, 'snapshot 3 applied');
    await post(`${apiUrl}/sim/tap`, { uid: CARD });
    const port = broker.port;
    await broker.stop();
    for (let i = 0; i < 100 && (await stateOf(apiUrl)).connected; i += 1) await new Promise((r) => setTimeout(r, 20));
    expect((await stateOf(apiUrl)).connected).toBe(false);

    // The region-scoped member price applies on this kiosk (region east), as at the hub.
    const quote = await (await post(`${apiUrl}/quote`, { lines: [{ sku: 'COFFEE', category: 'drinks', qty: 2, unitPriceCents: 350 }] })).json();
    expect(quote).toMatchObject({ available: true, source: 'kiosk', quote: { totalCents: 200, bundleVersion: 5 } });

    // ¥5,000 against a cached ¥996.50: refused before it is written, in words a shopper reads.
    const big = await post(`${apiUrl}/tx/purchase`, { lines: [{ sku: 'TV', category: 'electronics', qty: 1, unitPriceCents: 500_000 }], payments: [{ method: 'stored_value', amountCents: 500_000 }] });
    expect(big.status).toBe(409);
    const refusal = (await big.json()) as { error: { code: string; message: string; details: { leftCents: number } } };
    expect(refusal.error).toMatchObject({ code: 'OFFLINE_CARD_DAY_LIMIT', details: { leftCents: 30_000 } });
    expect(refusal.error.message).toContain('今日离线储值余额还可用 ¥300.00');
    expect((await stateOf(apiUrl)) as unknown).toMatchObject({ outboxDepth: 0 });

    const small = await post(`${apiUrl}/tx/purchase`, { lines: [{ sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 500 }], payments: [{ method: 'stored_value', amountCents: 500 }] });
    expect(small.status).toBe(202);
    const cash = await post(`${apiUrl}/tx/purchase`, { lines: [{ sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 500 }], payments: [{ method: 'cash', amountCents: 500 }] });
    expect(cash.status).toBe(202);

    // The hub comes back: the offline spend arrives marked, the cash sale does not need to be.
    broker = await startTestBroker(port);
    await eventually(() => seen.length === 2, 'both sales delivered', 15_000);
    expect(seen[0]).toMatchObject({ kind: 'purchase', acceptedOffline: true, snapshotVersion: 3, bundleVersion: 5, payments: [{ method: 'stored_value', amountCents: 500 }] });
    expect(seen[1]).not.toHaveProperty('acceptedOffline');
  });

  it('an expired snapshot stops offline spending only: balances, earning and paying by other means carry on, and online the hub decides', async () => {
    configSets.set(KIOSK.deviceId, validSet(3, 5, 2_500));
    const { apiUrl } = await make().start();
    await untilReport((r) => r.config?.snapshotVersion === 3, 'the short-lived snapshot applied');
    await post(`${apiUrl}/sim/tap`, { uid: CARD });
    const port = broker.port;
    await broker.stop();
    await eventually(() => Date.parse(lastReport()?.config.expires ?? '') < Date.now(), 'the snapshot expired', 5_000);

    // Balances from the cache.
    const tapped = (await (await post(`${apiUrl}/sim/tap`, { uid: CARD })).json()) as { session: { name: string; offline: boolean; member: { balances: { storedValueCents: number } } } };
    expect(tapped.session).toMatchObject({ name: 'member', offline: true, member: { balances: { storedValueCents: 99_650 } } });
    const spend = await post(`${apiUrl}/tx/purchase`, { lines: [{ sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 500 }], payments: [{ method: 'stored_value', amountCents: 500 }] });
    expect(spend.status).toBe(409);
    expect(((await spend.json()) as { error: { code: string } }).error.code).toBe('OFFLINE_SNAPSHOT_EXPIRED');
    // Paying another way earns points as ever (the hub credits them when the sale arrives).
    const cash = await post(`${apiUrl}/tx/purchase`, { lines: [{ sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 500 }], payments: [{ method: 'cash', amountCents: 500 }] });
    expect(cash.status).toBe(202);
    expect((await getJson<{ config: { expired: boolean } }>(`${apiUrl}/config`)).config.expired).toBe(true);

    broker = await startTestBroker(port);
    await eventually(() => seen.length === 1, 'the cash sale delivered', 15_000);
    for (let i = 0; i < 250 && !(await stateOf(apiUrl)).connected; i += 1) await new Promise((r) => setTimeout(r, 20));
    await post(`${apiUrl}/sim/tap`, { uid: CARD });
    const online = await post(`${apiUrl}/tx/purchase`, { lines: [{ sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 500 }], payments: [{ method: 'stored_value', amountCents: 500 }] });
    expect(online.status).toBe(200);
    expect(seen.at(-1)).toMatchObject({ payments: [{ method: 'stored_value' }] });
    expect(seen.at(-1)).not.toHaveProperty('acceptedOffline');
  });
});
