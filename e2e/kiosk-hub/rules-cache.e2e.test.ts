/**
 * The kiosk's copy of the rules now comes in the hub's signed configuration (device/config): HQ publishes a
 * rules change (POST /api/config), the kiosk checks the signed set against the root it pinned at enrolment,
 * applies it, names its versions on every transaction, and prices baskets with it when the hub is gone — also
 * after a restart without the hub.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { publishConfig } from '../support/hub-config.ts';
import { kioskCredentials } from '../support/kiosk-credentials.ts';

/** Coffee costs gold members ¥2.80 instead of ¥3.50: added to the chain's rules (merged by rule id). */
const MEMBER_PRICE_RULES = { rules: [{ kind: 'member_price', id: 'gold-coffee', label: 'gold coffee price', tiers: ['gold'], prices: { COFFEE: 280 } }] };
const COFFEE = { sku: 'COFFEE', category: 'drinks', qty: 2, unitPriceCents: 350 };

interface KioskState {
  bundleVersion: number;
  snapshotVersion?: number;
  config: { snapshotVersion: number | null; rulesVersion: number | null; lastRefusal: { code: string } | null };
}

async function stateOf(apiUrl: string): Promise<KioskState> {
  return (await (await fetch(`${apiUrl}/state`)).json()) as KioskState;
}

async function untilSnapshot(apiUrl: string, atLeast: number): Promise<KioskState> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const state = await stateOf(apiUrl);
    if ((state.config.snapshotVersion ?? 0) >= atLeast) return state;
    if (Date.now() > deadline) throw new Error(`the kiosk never held snapshot ${atLeast}: ${JSON.stringify(state.config)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as T;
}

/** HQ publishes the member price for every store (global scope). */
async function publishMemberPrice(env: TestHub): Promise<void> {
  expect(await publishConfig(env, 'global', { rules: MEMBER_PRICE_RULES })).toMatchObject({ scope: 'global' });
}

describe('the kiosk’s copy of the rules, from signed configuration (real hub, real kiosk)', () => {
  const temp = makeTempDir('mk-rules-');
  let hub: TestHub | null = null;
  let device: Device | null = null;

  afterEach(async () => {
    await device?.stop();
    await hub?.dispose();
    temp.cleanup();
  });

  const kiosk = (hubUrl: string, mqtt: { username: string; password: string; caPem: string; hqRootPublicKeyPem?: string }) =>
    createDevice({ demo: true, deviceId: 'kiosk-rules', storeId: DEMO_STORE_ID, hubUrl, mqtt, dataDir: join(temp.dir, 'kiosk'), httpPort: 0, logLevel: 'silent', tuning: { session: { lookupMs: 500 } } });

  it('applies the rules HQ published, names their versions on transactions, and prices baskets itself when the hub is gone', async () => {
    hub = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    const mqtt = await kioskCredentials(hub, 'kiosk-rules');
    expect(mqtt.hqRootPublicKeyPem).toBeTruthy();
    device = kiosk(hub.brokerTlsUrl!, mqtt);
    const { apiUrl } = await device.start();
    const before = await untilSnapshot(apiUrl, 1);
    await publishMemberPrice(hub);
    const state = await untilSnapshot(apiUrl, (before.config.snapshotVersion ?? 0) + 1);
    expect(state.config.lastRefusal).toBeNull();
    expect(state.bundleVersion).toBe(state.config.rulesVersion);
    expect(state.snapshotVersion).toBe(state.config.snapshotVersion);

    await post(`${apiUrl}/sim/tap`, { uid: DEMO_CARDS.gold });
    const online = await post<{ available: boolean; source: string; quote: { totalCents: number } }>(`${apiUrl}/quote`, { lines: [COFFEE] });
    expect(online).toMatchObject({ available: true, source: 'hub', quote: { totalCents: 560 } });
    const bought = await post<{ id: string; status: string }>(`${apiUrl}/tx/purchase`, { lines: [COFFEE], payments: [{ method: 'stored_value', amountCents: 560 }] });
    expect(bought.status).toBe('applied');
    const ledger = new Database(join(hub.dataDir, 'ledger.sqlite'), { readonly: true });
    const row = ledger.prepare('SELECT bundle_version, payload FROM transactions WHERE tx_id = ?').get(bought.id) as { bundle_version: number; payload: string };
    ledger.close();
    expect(row.bundle_version).toBe(state.bundleVersion);
    // The payload as the kiosk sent it names the snapshot too, so the hub recomputes with exactly those rules.
    expect(JSON.parse(row.payload)).toMatchObject({ bundleVersion: state.bundleVersion, snapshotVersion: state.snapshotVersion });

    // The hub goes away: the kiosk, from its own copy, still charges the member price the hub will apply.
    await hub.dispose();
    hub = null;
    await post(`${apiUrl}/session/reset`, {});
    await post(`${apiUrl}/sim/tap`, { uid: DEMO_CARDS.gold });
    const offline = await post<{ available: boolean; source: string; quote: { totalCents: number; bundleVersion: number } }>(`${apiUrl}/quote`, { lines: [COFFEE] });
    expect(offline).toMatchObject({ available: true, source: 'kiosk', quote: { totalCents: 560, bundleVersion: state.bundleVersion } });
  });

  it('keeps its configuration across a restart without the hub', async () => {
    hub = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    const mqtt = await kioskCredentials(hub, 'kiosk-rules');
    await publishMemberPrice(hub);
    device = kiosk(hub.brokerTlsUrl!, mqtt);
    const first = await device.start();
    const held = await untilSnapshot(first.apiUrl, 1);
    await device.stop();
    const hubUrl = hub.brokerTlsUrl!;
    await hub.dispose();
    hub = null;
    device = kiosk(hubUrl, mqtt);
    const again = await device.start();
    expect(await stateOf(again.apiUrl)).toMatchObject({ bundleVersion: held.bundleVersion, snapshotVersion: held.snapshotVersion, config: { snapshotVersion: held.config.snapshotVersion } });
  });
});
