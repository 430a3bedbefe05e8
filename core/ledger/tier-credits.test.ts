/**
 * Issue 11, rules engine items 2 and 3 through the planners: points rounded once per purchase and shared by line
 * so refunds stay exact, and every credit that counts towards a points tier running the upgrade check — the
 * referrer's referral award included (their change travels in effect.otherMemberChanges).
 */
import { describe, expect, it } from 'vitest';
import type { RulesBundle } from '../rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { planPurchase } from './plan-purchase.ts';
import { planRefund } from './plan-refund.ts';
import { planRegisterMember } from './plan-register-member.ts';
import { cash, context, line, MemberLedger, member, purchaseTx, refundTx, staff, ulid } from './test-support/builders.ts';

/** The default plan (silver from 1000 points) with the seeds' referral points: 100 / 50 on registration, 0.1 / 0.05 per yuan on purchases. */
const REFERRAL: RulesBundle = {
  ...DEFAULT_RULES_BUNDLE,
  rules: [
    ...DEFAULT_RULES_BUNDLE.rules,
    { kind: 'registration_bonus', id: 'welcome', points: 200 },
    { kind: 'referral', id: 'ref-reg', on: ['registration'], levels: [{ points: 100 }, { points: 50 }] },
    { kind: 'referral', id: 'ref-buy', on: ['purchase'], levels: [{ rate: '0.1' }, { rate: '0.05' }] },
  ],
};
const { format: _format, ...REFERRAL_FORMAT_1 } = REFERRAL;

function registerTx(id: string, referrerId: string): TransactionOf<'register_member'> {
  return {
    id,
    deviceId: 'kiosk-1',
    seq: 1,
    epoch: '',
    kind: 'register_member',
    createdAt: '2025-03-01T02:00:00.000Z',
    storeId: 'S1',
    bundleVersion: 1,
    cardUid: 'C0000000000C',
    name: 'Li',
    phone: '13900000001',
    referrer: { memberId: referrerId },
  };
}

describe('a referrer at 1,041 points with silver from 1,000 becomes silver (issue 11)', () => {
  const zhang = member({ memberId: 'ZHANG', tier: 'standard', cumulativePointsEarned: 941 });
  const root = member({ memberId: 'ROOT', tier: 'gold', cumulativePointsEarned: 5_000 });

  it('on a registration: Zhang (level 1) 941 + 100 = 1,041 → silver; the level-2 referrer gets his 50 counted, no change of tier', () => {
    const effect = planRegisterMember(registerTx(ulid(9_001), 'ZHANG'), context({ bundle: REFERRAL, referrerChain: ['ZHANG', 'ROOT'], referrers: [zhang, root] }));
    expect(effect.otherMemberChanges).toEqual([
      { memberId: 'ZHANG', tier: 'silver', cumulativePointsEarnedDelta: 100 },
      { memberId: 'ROOT', cumulativePointsEarnedDelta: 50 },
    ]);
    expect(effect.summary.trace).toContain('referrer ZHANG: standard → silver');
    // The new member's welcome 200 counts for them.
    expect(effect.memberChanges.cumulativePointsEarnedDelta).toBe(200);
    expect(effect.newMember?.tier).toBe('standard');
  });

  it('on a purchase: Li buys 1,000 yuan, Zhang earns 0.1 per yuan = 100 → 1,041 → silver', () => {
    const li = member({ memberId: 'LI' });
    const effect = planPurchase(purchaseTx([line(1, 100_000)], [cash(100_000)]), context({ bundle: REFERRAL, member: li, referrerChain: ['ZHANG', 'ROOT'], referrers: [zhang, root] }));
    expect(effect.otherMemberChanges).toEqual([
      { memberId: 'ZHANG', tier: 'silver', cumulativePointsEarnedDelta: 100 },
      { memberId: 'ROOT', cumulativePointsEarnedDelta: 50 },
    ]);
    // Li's own 1,000 points lift Li to silver as well (0 + 1,000 ≥ 1,000).
    expect(effect.memberChanges).toEqual({ tier: 'silver', cumulativeSpendDeltaCents: 100_000, cumulativePointsEarnedDelta: 1_000, visitsDelta: 1 });
  });

  it('a bundle stored before formats (format 1) keeps its meaning: referral points never counted, the referrer stays standard', () => {
    const effect = planRegisterMember(registerTx(ulid(9_002), 'ZHANG'), context({ bundle: REFERRAL_FORMAT_1, referrerChain: ['ZHANG'], referrers: [zhang] }));
    expect(effect.otherMemberChanges).toBeUndefined();
    expect(effect.postings.filter((p) => p.memberId === 'ZHANG').reduce((s, p) => s + p.amount, 0)).toBe(100);
  });

  it('tiers.countedSources decides: only purchase points count → the award moves no figure', () => {
    const onlyPurchases: RulesBundle = { ...REFERRAL, tiers: { ...REFERRAL.tiers!, countedSources: ['purchase'] } };
    const effect = planRegisterMember(registerTx(ulid(9_003), 'ZHANG'), context({ bundle: onlyPurchases, referrerChain: ['ZHANG'], referrers: [zhang] }));
    expect(effect.otherMemberChanges).toBeUndefined();
    expect(effect.memberChanges.cumulativePointsEarnedDelta).toBe(0); // the welcome bonus does not count either
  });

  it('a welcome bonus that reaches a threshold starts the new member in that tier', () => {
    const generous: RulesBundle = { ...REFERRAL, rules: REFERRAL.rules.map((r) => (r.kind === 'registration_bonus' ? { ...r, points: 1_000 } : r)) };
    const effect = planRegisterMember(registerTx(ulid(9_004), 'ZHANG'), context({ bundle: generous, referrerChain: ['ZHANG'], referrers: [zhang] }));
    expect(effect.newMember?.tier).toBe('silver');
    expect(effect.memberChanges.cumulativePointsEarnedDelta).toBe(1_000);
  });
});

describe('rounding once per purchase keeps refunds exact per line (issue 11: gold 1.5 points per yuan, ten 1-yuan items)', () => {
  const purchaseId = ulid(9_101);
  const ledger = new MemberLedger({ tier: 'gold' });
  const tenItems = Array.from({ length: 10 }, (_, i) => line(i + 1, 100));
  const bought = planPurchase(purchaseTx(tenItems, [cash(1_000)], { id: purchaseId }), ledger.contextFor());
  ledger.apply(bought);

  it('earns 15 points, not 10: 1.5 each, floored once; the five points left over go to lines 1–5 (equal fractions: lower line first)', () => {
    expect(bought.summary.pointsEarned).toBe(15);
    expect(bought.purchaseRecord?.lines.map((l) => l.points)).toEqual([2, 2, 2, 2, 2, 1, 1, 1, 1, 1]);
    expect(ledger.state.cumulativePointsEarned).toBe(15);
  });

  it('refunding line 1 takes back its 2 points; refunding the other nine the other 13; nothing is left over', () => {
    const first = planRefund(refundTx(purchaseId, [1]), ledger.contextFor({ purchaseTxId: purchaseId, staff: staff() }));
    expect(first.summary.pointsEarned).toBe(-2);
    ledger.apply(first);
    const rest = planRefund(refundTx(purchaseId, [2, 3, 4, 5, 6, 7, 8, 9, 10]), ledger.contextFor({ purchaseTxId: purchaseId, staff: staff() }));
    expect(rest.summary.pointsEarned).toBe(-13);
    ledger.apply(rest);
    expect(ledger.lotRemaining(`${purchaseId}:earn`)).toBe(0);
    expect(ledger.state.cumulativePointsEarned).toBe(0);
  });

  it('the same purchase under a format 1 bundle floors each line: 10 points', () => {
    const { format: _f, ...formatOne } = DEFAULT_RULES_BUNDLE;
    const old = planPurchase(purchaseTx(tenItems, [cash(1_000)]), context({ bundle: formatOne, member: member({ tier: 'gold' }) }));
    expect(old.summary.pointsEarned).toBe(10);
  });

  it('a purchase whose line points did not count takes nothing off the figure when refunded', () => {
    const onlyBonuses: RulesBundle = { ...DEFAULT_RULES_BUNDLE, tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, countedSources: ['referral'] } };
    const other = new MemberLedger({ tier: 'gold' });
    const id = ulid(9_102);
    const buy = planPurchase(purchaseTx(tenItems, [cash(1_000)], { id }), other.contextFor({ bundle: onlyBonuses }));
    expect(buy.memberChanges.cumulativePointsEarnedDelta).toBe(0);
    expect(buy.purchaseRecord?.linePointsCounted).toBe(false);
    other.apply(buy);
    const refund = planRefund(refundTx(id, [1]), other.contextFor({ bundle: onlyBonuses, purchaseTxId: id, staff: staff() }));
    expect(refund.memberChanges.cumulativePointsEarnedDelta).toBe(0);
  });
});
