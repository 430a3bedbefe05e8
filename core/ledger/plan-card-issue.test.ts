import { describe, expect, it } from 'vitest';
import { planCardIssue } from './plan-card-issue.ts';
import { card, context, expectCoded, member, staff } from './test-support/builders.ts';
import { bundleWithCardTypes } from './test-support/card-types-bundle.ts';
import { cardIssueTx } from './test-support/card-tx.ts';

const bundle = bundleWithCardTypes();
const rich = member({ storedValueCents: 10_000, bonusValueCents: 5_000 });

describe('planCardIssue: a card of an HQ-defined type on the member’s accounts, its fees from the schedule', () => {
  it('charges the issue fee and the first annual fee together, from principal, with the issue year on the annual fee', () => {
    // 金卡: issue ¥20 + annual ¥50 = ¥70; issued 1 March 2025 10:00 Shanghai (02:00 UTC).
    const effect = planCardIssue(cardIssueTx('gold', { feeCents: 7_000 }), context({ bundle, member: rich, staff: staff({ role: 'cashier' }) }));
    expect(effect.postings).toEqual([
      { account: 'stored_value', amount: -2_000 },
      { account: 'stored_value', amount: -5_000 },
    ]);
    expect(effect.feeCharges).toEqual([
      { cardUid: 'C0FFEE02', feeKind: 'issue', cents: 2_000, tender: 'stored_value' },
      { cardUid: 'C0FFEE02', feeKind: 'annual', cents: 5_000, tender: 'stored_value', year: 2025 },
    ]);
    // Valid 12 months: to the end of 1 March 2026, local (16:00 UTC the day before… minus 1 ms).
    expect(effect.newCards).toEqual([{ uid: 'C0FFEE02', memberId: 'M1', cardType: 'gold', holderName: null, validUntil: '2026-03-01T15:59:59.999Z' }]);
    expect(effect.summary.valueDeltaCents).toBe(-7_000);
  });

  it('refuses a claimed fee other than the schedule’s sum (FEE_MISMATCH), and one principal cannot pay', () => {
    expectCoded(() => planCardIssue(cardIssueTx('gold', { feeCents: 2_000 }), context({ bundle, member: rich, staff: staff() })), 'FEE_MISMATCH', {
      scheduledCents: 7_000,
      claimedCents: 2_000,
    });
    // ¥69.99 principal plus plenty of bonus value: bonus value never pays a fee.
    expectCoded(
      () => planCardIssue(cardIssueTx('gold'), context({ bundle, member: member({ storedValueCents: 6_999, bonusValueCents: 50_000 }), staff: staff() })),
      'INSUFFICIENT_STORED_VALUE',
    );
  });

  it('a counter tender leaves the accounts alone but records the fees; an unattended kiosk cannot take it', () => {
    const effect = planCardIssue(cardIssueTx('gold', { feeTender: 'cash', feeCents: 7_000 }), context({ bundle, staff: staff() }));
    expect(effect.postings).toEqual([]);
    expect(effect.feeCharges?.map((f) => [f.feeKind, f.cents, f.tender])).toEqual([
      ['issue', 2_000, 'cash'],
      ['annual', 5_000, 'cash'],
    ]);
    expectCoded(() => planCardIssue(cardIssueTx('gold', { feeTender: 'cash' }), context({ bundle, staff: staff(), deviceMode: 'unattended' })), 'TENDER_NOT_ALLOWED');
    expectCoded(() => planCardIssue(cardIssueTx('gold', { feeTender: 'bank_card' }), context({ bundle, staff: staff(), deviceMode: 'unattended' })), 'TENDER_NOT_ALLOWED');
  });

  it('a supplementary card issued on 31 January for one month is valid to the end of February, local', () => {
    // 31 Jan 01:00 in Shanghai is still 30 Jan in UTC: the local day counts.
    const effect = planCardIssue(cardIssueTx('supp', { at: '2025-01-30T17:00:00.000Z', holderName: '李小明' }), context({ bundle, member: rich, staff: staff() }));
    expect(effect.newCards).toEqual([{ uid: 'C0FFEE02', memberId: 'M1', cardType: 'supp', holderName: '李小明', validUntil: '2025-02-28T15:59:59.999Z' }]);
    // Its only fee at issue is its own annual fee (附属卡年费 ¥20).
    expect(effect.feeCharges).toEqual([{ cardUid: 'C0FFEE02', feeKind: 'annual', cents: 2_000, tender: 'stored_value', year: 2025 }]);
    // In a leap year, the 29th.
    const leap = planCardIssue(cardIssueTx('supp', { at: '2024-01-31T04:00:00.000Z' }), context({ bundle, member: rich, staff: staff() }));
    expect(leap.newCards[0]?.validUntil).toBe('2024-02-29T15:59:59.999Z');
  });

  it('the annual fee year is the local one: 1 January 00:30 in Shanghai is the new year', () => {
    const effect = planCardIssue(cardIssueTx('supp', { at: '2025-12-31T16:30:00.000Z' }), context({ bundle, member: rich, staff: staff() }));
    expect(effect.feeCharges?.[0]?.year).toBe(2026);
  });

  it('a type standing for a tier lifts the member to it, never down', () => {
    const lifted = planCardIssue(cardIssueTx('gold'), context({ bundle, member: rich, staff: staff() }));
    expect(lifted.memberChanges.tier).toBe('gold');
    const diamond = planCardIssue(cardIssueTx('gold'), context({ bundle, member: member({ storedValueCents: 10_000, tier: 'diamond' }), staff: staff() }));
    expect(diamond.memberChanges.tier).toBeUndefined();
    const gold = planCardIssue(cardIssueTx('gold'), context({ bundle, member: member({ storedValueCents: 10_000, tier: 'gold' }), staff: staff() }));
    expect(gold.memberChanges.tier).toBeUndefined();
  });

  it('refuses an unknown type, a UID already issued, a cancelled card, and staff without the right', () => {
    expectCoded(() => planCardIssue(cardIssueTx('platinum'), context({ bundle, member: rich, staff: staff() })), 'CARD_TYPE_UNKNOWN');
    // Rules without card types define none to issue.
    expectCoded(() => planCardIssue(cardIssueTx('gold'), context({ member: rich, staff: staff() })), 'CARD_TYPE_UNKNOWN');
    expectCoded(() => planCardIssue(cardIssueTx('gold'), context({ bundle, member: rich, staff: staff(), newCardTaken: true })), 'CARD_ALREADY_EXISTS');
    expectCoded(() => planCardIssue(cardIssueTx('gold'), context({ bundle, member: rich, staff: staff(), card: card({ status: 'cancelled' }) })), 'CARD_CANCELLED');
    expectCoded(() => planCardIssue(cardIssueTx('gold'), context({ bundle, member: rich, staff: staff({ storeIds: ['S2'] }) })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planCardIssue(cardIssueTx('gold'), context({ bundle, member: rich, staff: null })), 'STAFF_UNAUTHORIZED');
  });
});
