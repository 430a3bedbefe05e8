import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

/** 10 % off household goods for everyone. */
const DISCOUNT: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 2,
  rules: [{ kind: 'discount', id: 'household-10', label: 'household −10 %', categories: ['household'], percentOff: '10' }, ...DEFAULT_RULES_BUNDLE.rules],
};

describe('basket quotes over MQTT (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    await env.hub.store.saveRulesBundle(DISCOUNT);
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-quote', await enrolForTest(env, 'kiosk-quote'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-quote', 'attended');
  });

  afterEach(async () => {
    await device.close();
    await env.dispose();
  });

  it('prices the basket for the member with the latest rules and says what it would earn', async () => {
    const answer = await device.lookup({
      op: 'quote',
      cardUid: DEMO_CARDS.gold,
      storeId: 'store-001',
      lines: [
        { lineNo: 1, sku: 'SOAP', category: 'household', qty: 2, unitPriceCents: 1_000 },
        { lineNo: 2, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: 500 },
      ],
    });
    // 20.00 − 10 % = 18.00 on line 1, 5.00 on line 2: 23.00; gold earns 18 × 1.5 = 27 and 5 × 1.5 = 7.5 → 7.
    expect(answer).toMatchObject({
      ok: true,
      quote: { bundleVersion: 2, subtotalCents: 2_500, discountCents: 200, totalCents: 2_300, pointsEarned: 34, lines: [{ lineNo: 1, netCents: 1_800 }, { lineNo: 2, netCents: 500 }] },
    });
  });

  it('answers an unknown card and a malformed basket with their codes', async () => {
    expect(await device.lookup({ op: 'quote', cardUid: 'FFFF0000', storeId: 'store-001', lines: [{ lineNo: 1, sku: 'A', category: 'c', qty: 1, unitPriceCents: 1 }] })).toMatchObject({ ok: false, code: 'CARD_UNKNOWN' });
    expect(await device.lookup({ op: 'quote', cardUid: DEMO_CARDS.gold, storeId: 'store-001', lines: [] } as never)).toMatchObject({ ok: false, code: 'REQUEST_MALFORMED' });
  });
});
