import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

/** The default plan with at most 300 points per member per local day, and +50 for taking part in the spring fair. */
const CAPPED_BUNDLE: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  version: 3,
  points: { ...DEFAULT_RULES_BUNDLE.points, caps: { perDay: 300 } },
  rules: [...DEFAULT_RULES_BUNDLE.rules, { kind: 'event_bonus', id: 'fair', label: 'spring fair +50', eventId: 'spring-fair', points: 50 }],
};

describe('per-day caps and event bonuses at the hub (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    await env.hub.store.saveRulesBundle(CAPPED_BUNDLE);
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-cap', await enrolForTest(env, 'kiosk-cap'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-cap', 'attended');
  });

  afterEach(async () => {
    await device.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  const buy = (cents: number, createdAt: string, eventIds?: string[]) =>
    device.send(
      device.make(
        {
          kind: 'purchase',
          cardUid: DEMO_CARDS.gold,
          lines: [{ lineNo: 1, sku: 'TV', category: 'electronics', qty: 1, unitPriceCents: cents }],
          payments: [{ method: 'cash', amountCents: cents }],
          ...(eventIds ? { eventIds } : {}),
        },
        { bundleVersion: 3, createdAt },
      ),
    );

  it('stops earning at the cap for the rest of the local day and starts again the next day', async () => {
    // Shanghai is UTC+8: 2026-03-02T15:00Z and 2026-03-02T15:59Z are both 2 March, 23:xx local; 16:00Z is 3 March.
    const first = await buy(16_000, '2026-03-02T15:00:00.000Z'); // 160 yuan × 1.5 = 240
    const second = await buy(16_000, '2026-03-02T15:59:00.000Z'); // 240 more would pass 300: only 60
    const third = await buy(16_000, '2026-03-02T15:59:30.000Z'); // the day is full
    const nextDay = await buy(16_000, '2026-03-02T16:00:00.000Z'); // local 3 March: 240 again
    expect([first, second, third, nextDay].map((r) => r.outcome?.pointsEarned)).toEqual([240, 60, 0, 240]);
  });

  it('pays an event bonus only when the purchase names the event', async () => {
    const without = await buy(10_000, '2026-03-05T04:00:00.000Z');
    const withFair = await buy(10_000, '2026-03-06T04:00:00.000Z', ['spring-fair']);
    expect(without.outcome?.pointsEarned).toBe(150);
    expect(withFair.outcome?.pointsEarned).toBe(200);
  });
});
