/**
 * Credit (赊账) end to end: a real kiosk (createDevice, real HTTP, real MQTT over TLS) against a real hub (embedded
 * broker, SQLite, demo data) whose rules offer credit. HQ gives the member a limit; the member on the kiosk's
 * screen pays on credit; over the limit is refused by the hub; the store manager signed in on the kiosk takes a
 * repayment; the kiosk's look-up shows what is owed; once the hub is gone the kiosk refuses credit, nothing queued.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { kioskAgainstHub } from '../support/kiosk-against-hub.ts';
import { staffSignIn, tapMember } from '../support/kiosk-api.ts';

const DEVICE_ID = 'kiosk-e2e-credit';

interface TxAnswer {
  status: string;
  result?: { status: string; code?: string };
}

describe('credit through the kiosk API against a real hub', () => {
  const rig = kioskAgainstHub('mk-e2e-credit-', DEVICE_ID);
  afterEach(() => rig.dispose());

  it('a ¥300 sale on credit, ¥250 more refused over the ¥500 limit, ¥100 repaid by bank card; offline no credit', async () => {
    const { apiUrl, hub } = await rig.start(async (started) => {
      await started.hub.store.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, credit: { graceDays: 20, lateFeeCents: 1_000 } });
      expect(await started.hub.store.credit.setCreditLimit('M0001', 50_000)).toBe(true);
    });
    const store = hub.hub.store;

    await tapMember(apiUrl, DEMO_CARDS.standard);
    const basket = (cents: number) => ({ lines: [{ sku: 'RICE-10KG', category: 'grocery', qty: 1, unitPriceCents: cents }], payments: [{ method: 'credit', amountCents: cents }] });
    const sale = await postJson<TxAnswer>(`${apiUrl}/tx/purchase`, basket(30_000));
    expect(sale.body).toMatchObject({ status: 'applied', result: { status: 'applied' } });
    const over = await postJson<TxAnswer>(`${apiUrl}/tx/purchase`, basket(25_000));
    expect(over.body).toMatchObject({ status: 'rejected', result: { code: 'CREDIT_LIMIT_EXCEEDED' } });

    await staffSignIn(apiUrl);
    const member = await tapMember(apiUrl, DEMO_CARDS.standard);
    // The kiosk's look-up answer carries the credit line for the screen.
    expect((member as { member?: { credit?: unknown } }).member?.credit).toEqual({ owedCents: 30_000, limitCents: 50_000, availableCents: 20_000, warning: null });
    const repaid = await postJson<TxAnswer>(`${apiUrl}/tx/credit/repay`, { amountCents: 10_000, tender: 'bank_card' });
    expect(repaid.body).toMatchObject({ status: 'applied', result: { status: 'applied' } });
    expect((await store.memberViewById('M0001'))!.credit).toMatchObject({ owedCents: 20_000 });

    expect(await store.audit()).toEqual([]);
    await rig.stopHubAndWaitOffline();
    expect(await postJson(`${apiUrl}/tx/purchase`, basket(1_000))).toMatchObject({ status: 503, body: { error: { code: 'HUB_REQUIRED' } } });
    expect(await postJson(`${apiUrl}/tx/credit/repay`, { amountCents: 1_000, tender: 'bank_card' })).toMatchObject({ status: 503, body: { error: { code: 'HUB_REQUIRED' } } });
    expect(await getJson(`${apiUrl}/state`)).toMatchObject({ outboxDepth: 0 });
  });
});
