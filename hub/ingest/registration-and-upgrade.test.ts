import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

/** The default plan plus: welcome +200, referral on registration 100/50, on purchases 10 %/5 %, standard → silver for 200 points. */
const REFERRAL_BUNDLE: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 2,
  tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, paidUpgrades: [{ from: 'standard', to: 'silver', points: 200 }] },
  rules: [
    ...DEFAULT_RULES_BUNDLE.rules,
    { kind: 'registration_bonus', id: 'welcome', label: 'welcome +200', points: 200 },
    { kind: 'referral', id: 'ref-reg', label: 'referral', on: ['registration'], levels: [{ points: 100 }, { points: 50 }] },
    { kind: 'referral', id: 'ref-buy', label: 'referral purchase', on: ['purchase'], levels: [{ rate: '0.1' }, { rate: '0.05' }] },
  ],
};

describe('registration with a referrer, referral points and paid upgrades (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    await env.hub.store.saveRulesBundle(REFERRAL_BUNDLE);
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-reg', await enrolForTest(env, 'kiosk-reg'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-reg', 'attended');
  });

  afterEach(async () => {
    await device.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  const points = async (cardUid: string) => (await env.hub.store.memberViewByCard(cardUid))!.balances.points;

  it('pays the welcome bonus and two levels of referral points, on registration and on purchases', async () => {
    const goldBefore = await points(DEMO_CARDS.gold);
    // B registers naming the gold member (by phone): B +200, gold member +100 (level 1).
    const b = await device.send(device.make({ kind: 'register_member', cardUid: 'B0000000000B', name: 'Bai Lu', phone: '13900000002', referrer: { phone: '13800138003' } }, { bundleVersion: 2 }));
    expect(b.status).toBe('applied');
    expect(b.outcome).toMatchObject({ kind: 'register_member', tier: 'standard', pointsEarned: 200, balances: { points: 200 } });
    expect(await points(DEMO_CARDS.gold)).toBe(goldBefore + 100);
    // C registers naming B: C +200, B +100 (level 1), gold member +50 (level 2).
    const c = await device.send(device.make({ kind: 'register_member', cardUid: 'C0000000000C', name: 'Cao Yu', phone: '13900000003', referrer: { memberId: b.outcome!.memberId } }, { bundleVersion: 2 }));
    expect(c.status).toBe('applied');
    expect(await points('B0000000000B')).toBe(300);
    expect(await points(DEMO_CARDS.gold)).toBe(goldBefore + 150);
    // C buys for 100 yuan: C earns 100, B 10 % of it (10), the gold member 5 % (5).
    const buy = await device.send(
      device.make(
        { kind: 'purchase', cardUid: 'C0000000000C', lines: [{ lineNo: 1, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: 10_000 }], payments: [{ method: 'cash', amountCents: 10_000 }] },
        { bundleVersion: 2 },
      ),
    );
    expect(buy.outcome?.pointsEarned).toBe(100);
    expect(await points('C0000000000C')).toBe(300);
    expect(await points('B0000000000B')).toBe(310);
    expect(await points(DEMO_CARDS.gold)).toBe(goldBefore + 155);
  });

  it('refuses a second registration of a phone, an issued card and an unknown referrer, with their codes', async () => {
    const phoneTaken = await device.send(device.make({ kind: 'register_member', cardUid: 'D0000000000D', name: 'X', phone: '13800138001' }, { bundleVersion: 2 }));
    expect(phoneTaken).toMatchObject({ status: 'rejected', code: 'MEMBER_PHONE_TAKEN' });
    const cardTaken = await device.send(device.make({ kind: 'register_member', cardUid: DEMO_CARDS.silver, name: 'X', phone: '13900000009' }, { bundleVersion: 2 }));
    expect(cardTaken).toMatchObject({ status: 'rejected', code: 'CARD_ALREADY_EXISTS' });
    const noReferrer = await device.send(device.make({ kind: 'register_member', cardUid: 'D0000000000D', name: 'X', phone: '13900000009', referrer: { phone: '10000000000' } }, { bundleVersion: 2 }));
    expect(noReferrer).toMatchObject({ status: 'rejected', code: 'REFERRER_UNKNOWN' });
    expect(await env.hub.store.card('D0000000000D')).toBeNull();
  });

  it('upgrades a tier for points, soonest-expiring first, and refuses an upgrade the rules do not offer', async () => {
    await device.send(device.make({ kind: 'register_member', cardUid: 'E0000000000E', name: 'Er Ya', phone: '13900000005' }, { bundleVersion: 2 }));
    const upgrade = await device.send(device.make({ kind: 'tier_upgrade', cardUid: 'E0000000000E', targetTier: 'silver' }, { bundleVersion: 2 }));
    expect(upgrade.status).toBe('applied');
    expect(upgrade.outcome).toMatchObject({ tier: 'silver', pointsSpent: 200, balances: { points: 0 } });
    expect((await env.hub.store.memberViewByCard('E0000000000E'))!.tier).toBe('silver');
    const notOffered = await device.send(device.make({ kind: 'tier_upgrade', cardUid: 'E0000000000E', targetTier: 'diamond' }, { bundleVersion: 2 }));
    expect(notOffered).toMatchObject({ status: 'rejected', code: 'PAID_UPGRADE_UNKNOWN' });
  });
});
