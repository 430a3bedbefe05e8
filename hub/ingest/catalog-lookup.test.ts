import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

describe('the catalog look-up: what a kiosk may offer a member (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-catalog', await enrolForTest(env, 'kiosk-catalog'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-catalog', 'attended');
  });

  afterEach(async () => {
    await device.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  it('lists gifts in stock cheapest first and the default points-payment terms, and no upgrade the bundle does not offer', async () => {
    const answer = await device.lookup({ op: 'catalog', cardUid: DEMO_CARDS.gold });
    expect(answer).toEqual({
      ok: true,
      catalog: {
        memberId: 'M0003',
        tier: 'gold',
        bundleVersion: 1,
        gifts: [
          { sku: 'GIFT-MUG', name: 'Coffee mug', pointsPrice: 500, stock: 50 },
          { sku: 'GIFT-BAG', name: 'Tote bag', pointsPrice: 1200, stock: 20 },
        ],
        upgrades: [],
        pointsPayment: { pointsPerYuan: 100, maxShareBasisPoints: 10_000, minPoints: 0 },
      },
    });
  });

  it('offers the latest bundle\'s upgrades from the member\'s own tier, its payment terms, and hides gifts out of stock', async () => {
    await env.hub.store.saveRulesBundle({
      ...DEFAULT_RULES_BUNDLE,
      version: 2,
      pointsPayment: { pointsPerYuan: 50, maxShare: '0.3', minPoints: 200 },
      tiers: {
        ...DEFAULT_RULES_BUNDLE.tiers!,
        paidUpgrades: [
          { from: 'gold', to: 'diamond', points: 1000 },
          { from: 'silver', to: 'gold', points: 600 },
        ],
      },
    });
    await env.hub.store.upsertGift({ sku: 'GIFT-BAG', name: 'Tote bag', pointsPrice: 1200, stock: 0 });

    const gold = await device.lookup({ op: 'catalog', cardUid: DEMO_CARDS.gold });
    expect(gold.ok && 'catalog' in gold ? gold.catalog : gold).toMatchObject({
      tier: 'gold',
      bundleVersion: 2,
      gifts: [{ sku: 'GIFT-MUG' }],
      upgrades: [{ to: 'diamond', points: 1000 }],
      pointsPayment: { pointsPerYuan: 50, maxShareBasisPoints: 3000, minPoints: 200 },
    });
    const silver = await device.lookup({ op: 'catalog', cardUid: DEMO_CARDS.silver });
    expect(silver.ok && 'catalog' in silver ? silver.catalog.upgrades : silver).toEqual([{ to: 'gold', points: 600 }]);
  });

  it("offers the kiosk's own store's stock of a gift its store keeps, and hides one the store has run out of", async () => {
    const at = new Date().toISOString();
    await env.hub.store.giftStock.changeStoreStock({ storeId: DEMO_STORE_ID, sku: 'GIFT-MUG', delta: 3, at });
    await env.hub.store.giftStock.changeStoreStock({ storeId: DEMO_STORE_ID, sku: 'GIFT-BAG', delta: 1, at });
    await env.hub.store.giftStock.changeStoreStock({ storeId: DEMO_STORE_ID, sku: 'GIFT-BAG', delta: -1, at });
    // Another store's stock is not this kiosk's.
    await env.hub.store.giftStock.changeStoreStock({ storeId: 'store-elsewhere', sku: 'GIFT-MUG', delta: 40, at });
    const answer = await device.lookup({ op: 'catalog', cardUid: DEMO_CARDS.gold });
    expect(answer).toMatchObject({ ok: true, catalog: { gifts: [{ sku: 'GIFT-MUG', stock: 3 }] } });
  });

  it('has no points-payment terms when the bundle does not allow paying with points', async () => {
    const { pointsPayment: _omitted, ...withoutPayment } = DEFAULT_RULES_BUNDLE;
    await env.hub.store.saveRulesBundle({ ...withoutPayment, version: 3 });
    const answer = await device.lookup({ op: 'catalog', cardUid: DEMO_CARDS.standard });
    expect(answer.ok && 'catalog' in answer ? answer.catalog.pointsPayment : answer).toBeNull();
  });

  it('refuses an unknown card and a malformed request with their codes, and never answers by member id', async () => {
    await expect(device.lookup({ op: 'catalog', cardUid: 'FFFF0000' })).resolves.toMatchObject({ ok: false, code: 'CARD_UNKNOWN' });
    await expect(device.lookup({ op: 'catalog', cardUid: '' } as never)).resolves.toMatchObject({ ok: false, code: 'REQUEST_MALFORMED' });
    // A kiosk learns about a member only from a card on its reader: a member id names nobody here.
    await expect(device.lookup({ op: 'catalog', memberId: 'M0003' } as never)).resolves.toMatchObject({ ok: false, code: 'REQUEST_MALFORMED' });
    await expect(device.lookup({ op: 'member.balances', memberId: 'M0003' } as never)).resolves.toMatchObject({ ok: false, code: 'REQUEST_MALFORMED' });
  });
});

describe('member look-up by card for a card that cannot be used (real aedes, real SQLite)', () => {
  it('answers CARD_LOST for a card reported lost instead of the member, for every look-up by that card', async () => {
    const env = await startTestHub();
    const device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-lost', await enrolForTest(env, 'kiosk-lost'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-lost', 'attended');
    try {
      await expect(device.lookup({ op: 'member.byCard', cardUid: DEMO_CARDS.gold })).resolves.toMatchObject({ ok: true });
      const lost = await device.send(device.make({ kind: 'card_report_loss', cardUid: DEMO_CARDS.gold }));
      expect(lost.status).toBe('applied');
      await expect(device.lookup({ op: 'member.byCard', cardUid: DEMO_CARDS.gold })).resolves.toEqual({ ok: false, code: 'CARD_LOST', message: 'card is lost' });
      await expect(device.lookup({ op: 'catalog', cardUid: DEMO_CARDS.gold })).resolves.toMatchObject({ ok: false, code: 'CARD_LOST' });
    } finally {
      await device.close();
      await env.dispose();
    }
  });
});
