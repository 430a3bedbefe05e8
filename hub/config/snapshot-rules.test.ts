/**
 * A kiosk's transaction is recomputed with the rules of the signed snapshot it names — and only if the hub signed
 * that snapshot for that kiosk with those rules. A kiosk (or someone holding its secret) naming another store's
 * more generous rules is recomputed with its own and alerted. Real hub, broker and SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigSet } from '../../core/config/config-documents.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { DEMO_REGION_ID } from '../demo/seed-demo-fleet.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { publishConfig } from './publish-config.ts';
import { openSqliteConfigStore } from './sqlite-config-store.ts';
import { readSigningKey } from './signing-key.ts';

describe('the rules a transaction is recomputed with come from its kiosk’s signed snapshot', () => {
  let env: TestHub;
  let kiosk: RawDeviceClient;
  let own: ConfigSet;
  let generousRulesVersion: number;

  const currentSet = async (client: RawDeviceClient): Promise<ConfigSet> => {
    const answer = await client.lookup({ op: 'config.current' });
    if (!answer.ok || !('configSet' in answer)) throw new Error(`config.current answered ${JSON.stringify(answer)}`);
    return answer.configSet as unknown as ConfigSet;
  };
  const buy = (snapshotVersion: number, bundleVersion: number) =>
    kiosk.send(
      kiosk.make(
        {
          kind: 'purchase',
          cardUid: DEMO_CARDS.gold,
          lines: [{ lineNo: 1, sku: 'RICE', category: 'grocery', qty: 1, unitPriceCents: 10_000 }],
          payments: [{ method: 'cash', amountCents: 10_000 }],
        },
        { snapshotVersion, bundleVersion },
      ),
    );

  beforeAll(async () => {
    env = await startTestHub();
    await env.hub.fleet.addStore({ storeId: 'store-generous', name: 'Generous', regionId: DEMO_REGION_ID });
    const other = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-generous', await enrolForTest(env, 'kiosk-generous', { storeId: 'store-generous' }));
    // The other store triples everything: its kiosk's snapshot names a rules version of its own.
    const key = readSigningKey(env.dataDir);
    if (!key.ok) throw new Error(key.reason);
    const store = await openSqliteConfigStore(env.dataDir);
    try {
      await publishConfig({ store, fleet: env.hub.fleet, signingKey: key.key }, { scope: 'store:store-generous', content: { rules: { rules: [{ kind: 'multiplier', id: 'triple', factor: '3' }] } }, publishedBy: 'test' });
    } finally {
      await store.close();
    }
    let generous = await currentSet(other);
    for (let i = 0; i < 100 && generous.bundles.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      generous = await currentSet(other);
    }
    generousRulesVersion = generous.snapshot.signed.rulesVersion;
    await other.close();
    kiosk = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-honest', await enrolForTest(env, 'kiosk-honest', { storeId: DEMO_STORE_ID, mode: 'attended' }));
    own = await currentSet(kiosk);
    expect(own.snapshot.signed.rulesVersion).not.toBe(generousRulesVersion);
  });

  afterAll(async () => {
    await kiosk.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  it('recomputes with the rules the named snapshot holds, without an alert', async () => {
    const result = await buy(own.snapshot.signed.version, own.snapshot.signed.rulesVersion);
    // 100 yuan, gold ×1.5 = 150 points under the chain's rules.
    expect(result).toMatchObject({ status: 'applied', outcome: { pointsEarned: 150 } });
    expect((await env.hub.store.deviceAlerts(10, 'kiosk-honest')).map((a) => a.code)).not.toContain('TX_RULES_NOT_OF_SNAPSHOT');
  });

  it('recomputes with the kiosk’s own rules when it names another store’s, and alerts', async () => {
    const result = await buy(own.snapshot.signed.version, generousRulesVersion);
    expect(result).toMatchObject({ status: 'applied', outcome: { pointsEarned: 150 } });
    const alerts = await env.hub.store.deviceAlerts(10, 'kiosk-honest');
    expect(alerts).toContainEqual(expect.objectContaining({ code: 'TX_RULES_NOT_OF_SNAPSHOT', detail: expect.objectContaining({ namedRulesVersion: generousRulesVersion, usedRulesVersion: own.snapshot.signed.rulesVersion }) }));
  });

  it('uses the kiosk’s newest snapshot when it names one the hub never signed for it', async () => {
    const result = await buy(own.snapshot.signed.version + 10_000, generousRulesVersion);
    expect(result).toMatchObject({ status: 'applied', outcome: { pointsEarned: 150 } });
  });
});
