import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { kioskCredentials } from '../support/kiosk-credentials.ts';

/** Coffee costs gold members ¥2.80 instead of ¥3.50. */
const MEMBER_PRICES: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 2,
  rules: [{ kind: 'member_price', id: 'gold-coffee', label: 'gold coffee price', tiers: ['gold'], prices: { COFFEE: 280 } }, ...DEFAULT_RULES_BUNDLE.rules],
};
const COFFEE = { sku: 'COFFEE', category: 'drinks', qty: 2, unitPriceCents: 350 };

async function bundleVersionOf(apiUrl: string): Promise<number> {
  return ((await (await fetch(`${apiUrl}/state`)).json()) as { bundleVersion: number }).bundleVersion;
}

async function untilBundleVersion(apiUrl: string, version: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await bundleVersionOf(apiUrl)) !== version) {
    if (Date.now() > deadline) throw new Error(`the kiosk never held rules version ${version}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as T;
}

describe('the kiosk’s copy of the rules (real hub, real kiosk)', () => {
  const temp = makeTempDir('mk-rules-');
  let hub: TestHub | null = null;
  let device: Device | null = null;

  afterEach(async () => {
    await device?.stop();
    await hub?.dispose();
    temp.cleanup();
  });

  const kiosk = (hubUrl: string, mqtt: { username: string; password: string }) =>
    createDevice({ demo: true, deviceId: 'kiosk-rules', storeId: DEMO_STORE_ID, hubUrl, mqtt, dataDir: join(temp.dir, 'kiosk'), httpPort: 0, logLevel: 'silent', tuning: { session: { lookupMs: 500 } } });

  it('fetches the hub’s rules, names their version on transactions, and prices baskets itself when the hub is gone', async () => {
    hub = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    await hub.hub.store.saveRulesBundle(MEMBER_PRICES);
    device = kiosk(hub.brokerTlsUrl!, await kioskCredentials(hub, 'kiosk-rules'));
    const { apiUrl } = await device.start();
    await untilBundleVersion(apiUrl, 2);

    await post(`${apiUrl}/sim/tap`, { uid: DEMO_CARDS.gold });
    const online = await post<{ available: boolean; source: string; quote: { totalCents: number } }>(`${apiUrl}/quote`, { lines: [COFFEE] });
    expect(online).toMatchObject({ available: true, source: 'hub', quote: { totalCents: 560 } });
    const bought = await post<{ id: string; status: string }>(`${apiUrl}/tx/purchase`, { lines: [COFFEE], payments: [{ method: 'stored_value', amountCents: 560 }] });
    expect(bought.status).toBe('applied');
    const ledger = new Database(join(hub.dataDir, 'ledger.sqlite'), { readonly: true });
    expect(ledger.prepare('SELECT bundle_version FROM transactions WHERE tx_id = ?').get(bought.id)).toEqual({ bundle_version: 2 });
    ledger.close();

    // The hub goes away: the kiosk, from its own copy, still charges the member price the hub will apply.
    await hub.dispose();
    hub = null;
    await post(`${apiUrl}/session/reset`, {});
    await post(`${apiUrl}/sim/tap`, { uid: DEMO_CARDS.gold });
    const offline = await post<{ available: boolean; source: string; quote: { totalCents: number; bundleVersion: number } }>(`${apiUrl}/quote`, { lines: [COFFEE] });
    expect(offline).toMatchObject({ available: true, source: 'kiosk', quote: { totalCents: 560, bundleVersion: 2 } });
  });

  it('keeps its rules across a restart without the hub', async () => {
    hub = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    await hub.hub.store.saveRulesBundle(MEMBER_PRICES);
    device = kiosk(hub.brokerTlsUrl!, await kioskCredentials(hub, 'kiosk-rules'));
    const first = await device.start();
    await untilBundleVersion(first.apiUrl, 2);
    await device.stop();
    const hubUrl = hub.brokerTlsUrl!;
    const mqtt = await kioskCredentials(hub, 'kiosk-rules');
    await hub.dispose();
    hub = null;
    device = kiosk(hubUrl, mqtt);
    const again = await device.start();
    expect(await bundleVersionOf(again.apiUrl)).toBe(2);
  });
});
