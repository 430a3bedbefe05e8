/**
 * docs/RULES.md "Automatic conversion of points at a threshold (积分返点)", through the real SQLite ledger: the
 * conversion runs in the ledger transaction of the credit that brings the member's spendable points to the
 * threshold, with its own journal entries (points drawn from the soonest-expiring lots; bonus value credited, or
 * the gift's stock taken). The docs' numbers are per tier; so that purchases do not move the tier under them, the
 * first suite counts only registration points towards tiers. Journal audit after each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { example } from '../../../core/rules/test-support/fixtures.ts';
import { kioskStaffActor } from '../../testing/staff-actor.ts';
import { cashPurchase, openRulesLedger, RULES_KIOSK, type RulesLedger } from '../../testing/rules-ledger.ts';

/** The example with purchases not counting towards tiers: a member keeps the tier the docs' example names. */
function tierHeld(bundle: RulesBundle): RulesBundle {
  return { ...bundle, tiers: { ...bundle.tiers!, countedSources: ['registration'] } };
}

let env: RulesLedger;
afterEach(async () => {
  expect(await env.ledger.audit()).toEqual([]);
  await env.close();
});
const balancesOf = async (memberId: string) => {
  const m = (await env.ledger.member(memberId))!;
  return { points: m.points, bonusValueCents: m.bonusValueCents, tier: m.tier };
};

describe('pointsRebate reward value (points-rebate.json: threshold 5,000, steps of 1,000, 0.01 / gold 0.012 / diamond 0.015)', () => {
  it('4,999 points convert nothing; the purchase that brings a silver member to 5,000 converts them into 50.00', async () => {
    env = await openRulesLedger(tierHeld(example('points-rebate')));
    const card = await env.freshMember('R1', 'silver');
    expect((await env.kiosk(cashPurchase(card, 4_999))).outcome?.trace).not.toContainEqual(expect.stringContaining('points rebate'));
    expect(await balancesOf('R1')).toEqual({ points: 4_999, bonusValueCents: 0, tier: 'silver' });
    const reaching = await env.kiosk(cashPurchase(card, 1));
    expect(reaching.status).toBe('applied');
    expect(reaching.outcome?.trace).toContain('points rebate 5000 pts × 0.01: -5000, bonus value +5000');
    expect(reaching.outcome).toMatchObject({ pointsEarned: 1, pointsSpent: 5_000, valueDeltaCents: 5_000 });
    expect(await balancesOf('R1')).toEqual({ points: 0, bonusValueCents: 5_000, tier: 'silver' });
  });

  it('gold at 7,450 converts 7,000 points into 84.00 (450 stay); diamond at 10,000 into 150.00', async () => {
    env = await openRulesLedger(tierHeld(example('points-rebate')));
    const gold = await env.freshMember('R2', 'gold');
    await env.kiosk(cashPurchase(gold, 7_450));
    expect(await balancesOf('R2')).toEqual({ points: 450, bonusValueCents: 8_400, tier: 'gold' });
    const diamond = await env.freshMember('R3', 'diamond');
    await env.kiosk(cashPurchase(diamond, 10_000));
    expect(await balancesOf('R3')).toEqual({ points: 0, bonusValueCents: 15_000, tier: 'diamond' });
  });

  it('points from the soonest-expiring lots: the older lot is drawn before the one the purchase earned', async () => {
    env = await openRulesLedger(tierHeld(example('points-rebate')));
    const card = await env.freshMember('R4', 'silver');
    const older = await env.kiosk(cashPurchase(card, 3_000));
    const reaching = await env.kiosk(cashPurchase(card, 2_500));
    // 5,500 points: whole steps of 1,000 convert, 5,000 — 3,000 from the older lot, 2,000 from the new one.
    const lots = env.rows<{ lot_id: string; remaining: number }>('SELECT lot_id, remaining FROM point_lots WHERE member_id = ? ORDER BY expires_at', 'R4');
    expect(lots).toEqual([{ lot_id: `${older.id!}:earn`, remaining: 0 }, { lot_id: `${reaching.id!}:earn`, remaining: 500 }]);
    const journal = env.rows<{ account: string; amount: number; lot_id: string | null }>('SELECT account, amount, lot_id FROM journal WHERE tx_id = ? ORDER BY entry_id', reaching.id!);
    expect(journal).toEqual([
      { account: 'points', amount: 2_500, lot_id: `${reaching.id!}:earn` },
      { account: 'points', amount: -3_000, lot_id: `${older.id!}:earn` },
      { account: 'points', amount: -2_000, lot_id: `${reaching.id!}:earn` },
      { account: 'bonus_value', amount: 5_000, lot_id: null },
    ]);
  });

  it('a refund after the conversion keeps the conversion: the earned points the lots no longer hold are owed', async () => {
    env = await openRulesLedger(tierHeld(example('points-rebate')));
    const card = await env.freshMember('R5', 'gold');
    const bought = await env.kiosk(cashPurchase(card, 7_450));
    const actor = await kioskStaffActor(env.ledger, RULES_KIOSK);
    const refund = await env.kiosk({ kind: 'refund', cardUid: card, purchaseTxId: bought.id!, lineNos: [1], actor });
    expect(refund.status).toBe('applied');
    expect(await balancesOf('R5')).toEqual({ points: 0, bonusValueCents: 8_400, tier: 'gold' });
    const owed = env.rows<{ balance: number }>("SELECT balance FROM accounts WHERE member_id = ? AND account = 'shortfall_points'", 'R5');
    expect(owed).toEqual([{ balance: 7_000 }]);
    expect(env.rows('SELECT lot_id FROM point_lots WHERE member_id = ? AND remaining < 0', 'R5')).toEqual([]);
  });

  it('with the example as written a purchase that lifts the member converts at the new tier: ¥5,000 makes a standard member gold, 60.00', async () => {
    env = await openRulesLedger(example('points-rebate'));
    const card = await env.freshMember('R6', 'standard');
    const bought = await env.kiosk(cashPurchase(card, 5_000));
    expect(bought.outcome?.tier).toBe('gold');
    expect(await balancesOf('R6')).toEqual({ points: 0, bonusValueCents: 6_000, tier: 'gold' });
  });
});

describe('pointsRebate reward gift (points-rebate-gift.json: ¥50 voucher, gold ¥80 voucher, 5,000 points each)', () => {
  const gifts = async (vouchers: { sku: string; stock: number }[]) => {
    for (const v of vouchers) await env.ledger.upsertGift({ sku: v.sku, name: v.sku, pointsPrice: 5_000, stock: v.stock });
  };
  const stockOf = async (sku: string) => (await env.ledger.listGifts()).find((g) => g.sku === sku)?.stock;

  it('a standard member at 12,000 gets two ¥50 vouchers for 10,000 points; a gold member at 5,000 one ¥80 voucher', async () => {
    env = await openRulesLedger(tierHeld(example('points-rebate-gift')));
    await gifts([{ sku: 'voucher-50', stock: 100 }, { sku: 'voucher-80', stock: 10 }]);
    const standard = await env.freshMember('G1', 'standard');
    const result = await env.kiosk(cashPurchase(standard, 12_000));
    expect(result.outcome?.trace).toContain('points rebate 2 × ¥50 gift voucher: -10000');
    expect(await balancesOf('G1')).toEqual({ points: 2_000, bonusValueCents: 0, tier: 'standard' });
    expect(await stockOf('voucher-50')).toBe(98);
    const gold = await env.freshMember('G2', 'gold');
    await env.kiosk(cashPurchase(gold, 5_000));
    expect((await balancesOf('G2')).points).toBe(0);
    expect(await stockOf('voucher-80')).toBe(9);
  });

  it('the ledger’s stock limits the conversion, and a voucher the ledger does not stock converts nothing', async () => {
    env = await openRulesLedger(tierHeld(example('points-rebate-gift')));
    await gifts([{ sku: 'voucher-50', stock: 1 }]);
    const standard = await env.freshMember('G3', 'standard');
    await env.kiosk(cashPurchase(standard, 12_000));
    expect((await balancesOf('G3')).points).toBe(7_000);
    expect(await stockOf('voucher-50')).toBe(0);
    const gold = await env.freshMember('G4', 'gold');
    await env.kiosk(cashPurchase(gold, 5_000));
    expect((await balancesOf('G4')).points).toBe(5_000);
  });
});
