import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { kioskStaffActor } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

/** The default plan (format 2: rounded once per purchase, every source counts towards tiers; silver from 1000) with referral points 100 / 50 on registration. */
const FORMAT_2: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 2,
  rules: [...DEFAULT_RULES_BUNDLE.rules, { kind: 'referral', id: 'ref-reg', label: 'referral', on: ['registration'], levels: [{ points: 100 }, { points: 50 }] }],
};
/** The same rules as stored before bundles had a format: format 1, per-line rounding, referral points not counted. */
const { format: _format, ...withoutFormat } = FORMAT_2;
const FORMAT_1: RulesBundle = { ...withoutFormat, version: 3 };

const TEN_ONE_YUAN_ITEMS = Array.from({ length: 10 }, (_, i) => ({ lineNo: i + 1, sku: `CANDY-${i + 1}`, category: 'grocery', qty: 1, unitPriceCents: 100 }));

describe('rounding once per purchase and referral awards that lift a tier, through the hub ledger (issue 11; real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    await env.hub.store.saveRulesBundle(FORMAT_2);
    await env.hub.store.saveRulesBundle(FORMAT_1);
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-r11', await enrolForTest(env, 'kiosk-r11'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-r11', 'attended');
  });

  afterEach(async () => {
    await device.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  const buyTen = (bundleVersion: number) =>
    device.send(device.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: TEN_ONE_YUAN_ITEMS, payments: [{ method: 'cash', amountCents: 1_000 }] }, { bundleVersion }));

  it('a gold member (×1.5) buying ten 1-yuan items earns 15 points, and refunds take back exactly what each line kept', async () => {
    const gold = async () => (await env.hub.store.member('M0003'))!;
    const before = await gold();
    const bought = await buyTen(2);
    expect(bought.status).toBe('applied');
    expect(bought.outcome?.pointsEarned).toBe(15);
    const actor = await kioskStaffActor(env.hub.store, 'kiosk-r11');
    // Lines 1–5 got the five points the once-per-purchase floor left over (equal fractions: lower line first): 2 each.
    const first = await device.send(device.make({ kind: 'refund', cardUid: DEMO_CARDS.gold, purchaseTxId: bought.id!, lineNos: [1], actor }, { bundleVersion: 2 }));
    expect(first.status).toBe('applied');
    expect(first.outcome?.pointsEarned).toBe(-2);
    const rest = await device.send(device.make({ kind: 'refund', cardUid: DEMO_CARDS.gold, purchaseTxId: bought.id!, lineNos: [2, 3, 4, 5, 6, 7, 8, 9, 10], actor }, { bundleVersion: 2 }));
    expect(rest.outcome?.pointsEarned).toBe(-13);
    expect((await gold()).points).toBe(before.points);
    expect((await gold()).cumulativePointsEarned).toBe(before.cumulativePointsEarned);
  });

  it('a transaction naming a bundle stored without a format is recomputed with its old meaning: each line floored, 10 points', async () => {
    const bought = await buyTen(3);
    expect(bought.status).toBe('applied');
    expect(bought.outcome?.pointsEarned).toBe(10);
  });

  it('a referrer at 1,041 points with silver from 1,000 becomes silver when the referral award takes them there', async () => {
    const li = async () => (await env.hub.store.member('M0001'))!;
    // Bring the standard demo member to 941 points earned with a cash purchase (1 point per yuan).
    const yuan = 941 - (await li()).cumulativePointsEarned;
    const purchase = await device.send(
      device.make({ kind: 'purchase', cardUid: DEMO_CARDS.standard, lines: [{ lineNo: 1, sku: 'TV', category: 'electronics', qty: 1, unitPriceCents: yuan * 100 }], payments: [{ method: 'cash', amountCents: yuan * 100 }] }, { bundleVersion: 2 }),
    );
    expect(purchase.status).toBe('applied');
    expect(await li()).toMatchObject({ tier: 'standard', cumulativePointsEarned: 941 });
    // Under format 1 rules the referral award is not counted: still standard at 941.
    const old = await device.send(device.make({ kind: 'register_member', cardUid: 'F1000000000F', name: 'Old Rules', phone: '13900000011', referrer: { phone: '13800138001' } }, { bundleVersion: 3 }));
    expect(old.status).toBe('applied');
    expect(await li()).toMatchObject({ tier: 'standard', cumulativePointsEarned: 941 });
    // Under format 2 it counts: 941 + 100 = 1,041 ≥ 1,000 → silver.
    const referred = await device.send(device.make({ kind: 'register_member', cardUid: 'F2000000000F', name: 'Zhao Lei', phone: '13900000012', referrer: { phone: '13800138001' } }, { bundleVersion: 2 }));
    expect(referred.status).toBe('applied');
    expect(await li()).toMatchObject({ tier: 'silver', cumulativePointsEarned: 1_041 });
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.standard))!.tier).toBe('silver');
  });
});
