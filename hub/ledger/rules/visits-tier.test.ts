/**
 * docs/RULES.md "A tier basis by visit count (消费的次数)", through the real SQLite ledger: every applied purchase
 * is one visit on members.visits, the engine's visits ladder moves the tier on it (10th purchase silver, 30th
 * gold, whatever was spent), and the refund of a purchase's last line takes its visit back. Journal audit after each.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { example } from '../../../core/rules/test-support/fixtures.ts';
import { kioskStaffActor } from '../../testing/staff-actor.ts';
import { cashPurchase, openRulesLedger, RULES_KIOSK, type RulesLedger } from '../../testing/rules-ledger.ts';

describe('tiers.basis visits through the ledger (tiers-by-visits.json)', () => {
  let env: RulesLedger;

  beforeEach(async () => {
    env = await openRulesLedger(example('tiers-by-visits'));
  });

  afterEach(async () => {
    expect(await env.ledger.audit()).toEqual([]);
    await env.close();
  });

  const memberOf = async (memberId: string) => (await env.ledger.member(memberId))!;

  it('the 10th purchase lifts a standard member to silver and the 30th to gold, at ¥1 each', async () => {
    const card = await env.freshMember('V1', 'standard');
    for (let visit = 1; visit <= 30; visit++) {
      const result = await env.kiosk(cashPurchase(card, 1));
      expect(result.status, `purchase ${visit}`).toBe('applied');
      const expected = visit >= 30 ? 'gold' : visit >= 10 ? 'silver' : 'standard';
      expect(result.outcome?.tier, `after purchase ${visit}`).toBe(expected);
    }
    expect(await memberOf('V1')).toMatchObject({ tier: 'gold', visits: 30, cumulativeSpendCents: 3_000 });
  });

  it('a sale a kiosk took offline counts its visit too', async () => {
    const card = await env.freshMember('V2', 'standard');
    expect((await env.kiosk({ ...cashPurchase(card, 5), acceptedOffline: true })).status).toBe('applied');
    expect((await memberOf('V2')).visits).toBe(1);
  });

  it('refunding every line of a purchase takes its visit back; a partial refund does not; the tier stays', async () => {
    const card = await env.freshMember('V3', 'standard');
    const lines = [1, 2].map((lineNo) => ({ lineNo, sku: `S${lineNo}`, category: 'grocery', qty: 1, unitPriceCents: 100 }));
    let last = '';
    for (let visit = 1; visit <= 10; visit++) {
      const result = await env.kiosk({ kind: 'purchase', cardUid: card, lines, payments: [{ method: 'cash', amountCents: 200 }] });
      last = result.id!;
    }
    expect(await memberOf('V3')).toMatchObject({ tier: 'silver', visits: 10 });
    const actor = await kioskStaffActor(env.ledger, RULES_KIOSK);
    expect((await env.kiosk({ kind: 'refund', cardUid: card, purchaseTxId: last, lineNos: [1], actor })).status).toBe('applied');
    expect((await memberOf('V3')).visits).toBe(10);
    expect((await env.kiosk({ kind: 'refund', cardUid: card, purchaseTxId: last, lineNos: [2], actor })).status).toBe('applied');
    // Only a tier review lowers a tier; a visits ladder has none (the bundle check refuses reevaluate).
    expect(await memberOf('V3')).toMatchObject({ tier: 'silver', visits: 9 });
    // The next purchase is the 10th again: no tier moves, it is already silver.
    expect((await env.kiosk(cashPurchase(card, 1))).outcome?.tier).toBe('silver');
    expect((await memberOf('V3')).visits).toBe(10);
  });
});
