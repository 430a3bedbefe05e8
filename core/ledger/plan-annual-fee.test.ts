import { describe, expect, it } from 'vitest';
import { planAnnualFee } from './plan-annual-fee.ts';
import type { MemberPlanningContext } from './planning-context.ts';
import { card, expectCoded, member } from './test-support/builders.ts';
import { bundleWithCardTypes } from './test-support/card-types-bundle.ts';
import { annualFeeTx } from './test-support/card-tx.ts';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';

const bundle = bundleWithCardTypes();

function ctx(o: Partial<MemberPlanningContext> = {}): MemberPlanningContext {
  return { member: member({ storedValueCents: 10_000 }), lots: [], bundle, card: card({ cardType: 'gold' }), annualFeePaid: false, ...o };
}

describe('planAnnualFee: HQ’s sweep charges a card’s annual fee once per fee year', () => {
  it('takes a covered fee from principal stored value', () => {
    const effect = planAnnualFee(annualFeeTx(2026), ctx());
    expect(effect.postings).toEqual([{ account: 'stored_value', amount: -5_000 }]);
    expect(effect.feeCharges).toEqual([{ cardUid: 'A1B2C3D4', feeKind: 'annual', cents: 5_000, tender: 'stored_value', year: 2026 }]);
  });

  it('takes what principal covers and puts the rest on the shortfall account (owed, never dropped)', () => {
    // ¥12 principal, ¥50 fee, ¥100 bonus value (never spent on fees): ¥12 taken, ¥38 owed.
    const effect = planAnnualFee(annualFeeTx(2026), ctx({ member: member({ storedValueCents: 1_200, bonusValueCents: 10_000 }) }));
    expect(effect.postings).toEqual([
      { account: 'stored_value', amount: -1_200 },
      { account: 'shortfall_value', amount: 3_800 },
    ]);
    expect(effect.feeCharges?.[0]).toMatchObject({ cents: 5_000, tender: 'owed', year: 2026 });
    // Nothing at all in principal (on credit): all of it owed.
    const none = planAnnualFee(annualFeeTx(2026), ctx({ member: member({ storedValueCents: -500 }) }));
    expect(none.postings).toEqual([{ account: 'shortfall_value', amount: 5_000 }]);
  });

  it('a supplementary card pays its own type’s annual fee (附属卡年费)', () => {
    const effect = planAnnualFee(annualFeeTx(2026), ctx({ card: card({ cardType: 'supp' }) }));
    expect(effect.postings).toEqual([{ account: 'stored_value', amount: -2_000 }]);
  });

  it('refuses a year already charged, a cancelled card, a type with no annual fee, and another member’s card', () => {
    expectCoded(() => planAnnualFee(annualFeeTx(2026), ctx({ annualFeePaid: true })), 'ANNUAL_FEE_NOT_DUE');
    expectCoded(() => planAnnualFee(annualFeeTx(2026), ctx({ card: card({ cardType: 'gold', status: 'cancelled' }) })), 'ANNUAL_FEE_NOT_DUE');
    expectCoded(() => planAnnualFee(annualFeeTx(2026), ctx({ card: card({ cardType: 'plain' }) })), 'ANNUAL_FEE_NOT_DUE');
    expectCoded(() => planAnnualFee(annualFeeTx(2026), ctx({ bundle: DEFAULT_RULES_BUNDLE, card: card() })), 'ANNUAL_FEE_NOT_DUE');
    expectCoded(() => planAnnualFee(annualFeeTx(2026), ctx({ card: card({ memberId: 'M2', cardType: 'gold' }) })), 'CARD_UNKNOWN');
    expectCoded(() => planAnnualFee(annualFeeTx(2026), ctx({ card: null })), 'CARD_UNKNOWN');
  });
});
