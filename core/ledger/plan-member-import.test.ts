import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import type { HqOnlyTransactionOf } from '../wire/transaction.ts';
import { planHqOnlyTransaction } from './plan-hq-only-transaction.ts';
import { planMemberImport } from './plan-member-import.ts';
import type { MemberImportTarget, MemberPlanningContext } from './planning-context.ts';
import { expectCoded, ulid } from './test-support/builders.ts';

const AT = '2026-12-01T02:00:00.000Z';
const tx = (over: Partial<HqOnlyTransactionOf<'member_import'>> = {}): HqOnlyTransactionOf<'member_import'> => ({
  v: 3, id: ulid(9_001), deviceId: 'hq', seq: 1, epoch: '', createdAt: AT, storeId: 'hq', bundleVersion: 1, kind: 'member_import',
  memberId: 'M-Iabc-2', importId: 'a'.repeat(64), row: 2, cardUid: 'C0000001', name: '王芳', phone: '13900000001', tier: 'gold', homeStoreId: 'store-002',
  storedValueCents: 1230, bonusValueCents: 500, points: 1200, importedBy: 'S1', ...over,
});
const context = (target: Partial<MemberImportTarget> = {}): MemberPlanningContext => ({
  member: { memberId: 'M-Iabc-2', name: '王芳', tier: 'gold', storedValueCents: 0, bonusValueCents: 0, points: 0, creditLimitCents: 0, cumulativeSpendCents: 0, cumulativePointsEarned: 0 },
  lots: [],
  bundle: DEFAULT_RULES_BUNDLE,
  memberImport: { memberExists: false, phoneTaken: false, cardTaken: false, ...target },
});

describe('member import (HQ only): a member, a card and opening balances as journal entries', () => {
  it('creates the member in the tier and home store of the file, a default card, and posts principal, bonus value and a points lot', () => {
    const effect = planMemberImport(tx(), context({ referrerId: undefined }));
    expect(effect.newMember).toEqual({ memberId: 'M-Iabc-2', name: '王芳', phone: '13900000001', tier: 'gold', referrerId: null, homeStoreId: 'store-002' });
    expect(effect.newCards).toEqual([expect.objectContaining({ uid: 'C0000001', memberId: 'M-Iabc-2' })]);
    const lotId = `${ulid(9_001)}:import`;
    expect(effect.postings).toEqual([
      { account: 'stored_value', amount: 1230 },
      { account: 'bonus_value', amount: 500 },
      { account: 'points', amount: 1200, lotId },
    ]);
    expect(effect.newLots).toEqual([{ lotId, earnedAt: AT, expiresAt: expect.any(String) }]);
    // History is not new spending or earning: nothing moves the figures tiers are reached by.
    expect(effect.memberChanges).toEqual({ cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 0 });
  });

  it('posts nothing for empty balances, and names a referrer the ledger found', () => {
    const effect = planMemberImport(tx({ storedValueCents: 0, bonusValueCents: 0, points: 0, referrerPhone: '13800138001' }), context({ referrerId: 'M0001' }));
    expect(effect.postings).toEqual([]);
    expect(effect.newLots).toEqual([]);
    expect(effect.newMember?.referrerId).toBe('M0001');
  });

  it('refuses a member that exists (the same row imported again), a phone or card taken, an unknown referrer or tier', () => {
    expectCoded(() => planMemberImport(tx(), context({ memberExists: true })), 'MEMBER_EXISTS');
    expectCoded(() => planMemberImport(tx(), context({ phoneTaken: true })), 'MEMBER_PHONE_TAKEN');
    expectCoded(() => planMemberImport(tx(), context({ cardTaken: true })), 'CARD_ALREADY_EXISTS');
    expectCoded(() => planMemberImport(tx({ referrerPhone: '13700000000' }), context({ referrerId: null })), 'REFERRER_UNKNOWN');
    expectCoded(() => planMemberImport(tx({ tier: 'platinum' }), context()), 'TIER_UNKNOWN');
  });

  it('is made only by HQ: from a kiosk it is refused', () => {
    expectCoded(() => planHqOnlyTransaction(tx({ deviceId: 'kiosk-1' }), context()), 'TX_NOT_ALLOWED_FROM_DEVICE');
  });
});
