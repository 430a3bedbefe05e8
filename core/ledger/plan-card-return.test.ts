import { describe, expect, it } from 'vitest';
import type { TransactionOf } from '../wire/transaction.ts';
import { planCardReturn } from './plan-card-return.ts';
import { card, context, expectCoded, lifecycleTx, member, posted, staff } from './test-support/builders.ts';

function returnTx(refundTender: 'cash' | 'bank_transfer' = 'cash'): TransactionOf<'card_return'> {
  const { kind: _, ...rest } = lifecycleTx('card_freeze');
  return { ...rest, kind: 'card_return', refundTender };
}

describe('card return (退卡)', () => {
  it('pays back the principal, forfeits the bonus, keeps the points, cancels the card', () => {
    const effect = planCardReturn(returnTx(), context({ staff: staff(), member: member({ storedValueCents: 90_000, bonusValueCents: 12_000, points: 350 }) }));
    expect(posted(effect, 'stored_value')).toBe(-90_000);
    expect(posted(effect, 'bonus_value')).toBe(-12_000);
    expect(posted(effect, 'points')).toBe(0);
    expect(effect.cardChanges).toEqual([{ uid: effect.cardChanges[0]!.uid, status: 'cancelled' }]);
    expect(effect.summary.trace).toEqual(['card returned: 90000 cents paid back by cash', '12000 cents bonus value forfeited', 'points kept: 350']);
  });

  it('settles what the member owes on shortfall_value out of the principal first', () => {
    const effect = planCardReturn(returnTx('bank_transfer'), context({ staff: staff(), member: member({ storedValueCents: 5_000 }), shortfallValueCents: 1_200 }));
    expect(posted(effect, 'stored_value')).toBe(-5_000);
    expect(posted(effect, 'shortfall_value')).toBe(-1_200);
    expect(effect.summary.trace[0]).toBe('card returned: 3800 cents paid back by bank_transfer');
  });

  it('refuses a member who owes more than their principal, or is on credit', () => {
    expectCoded(() => planCardReturn(returnTx(), context({ staff: staff(), member: member({ storedValueCents: 1_000 }), shortfallValueCents: 1_200 })), 'CARD_RETURN_BALANCE_OWED');
    expectCoded(() => planCardReturn(returnTx(), context({ staff: staff(), member: member({ storedValueCents: -500, creditLimitCents: 1_000 }) })), 'CARD_RETURN_BALANCE_OWED');
  });

  it('refuses while anything is owed on credit (赊账), however much stored value would cover it; 0 owed returns', () => {
    const rich = member({ storedValueCents: 50_000, creditLimitCents: 10_000 });
    expectCoded(() => planCardReturn(returnTx(), context({ staff: staff(), member: rich, creditOwedCents: 1 })), 'CARD_RETURN_BALANCE_OWED', { creditOwedCents: 1 });
    expect(posted(planCardReturn(returnTx(), context({ staff: staff(), member: rich, creditOwedCents: 0 })), 'stored_value')).toBe(-50_000);
  });

  it('needs a store manager or above, cash only where someone hands it over, and a card not already cancelled', () => {
    expectCoded(() => planCardReturn(returnTx(), context({ staff: staff({ role: 'cashier' }) })), 'STAFF_UNAUTHORIZED');
    expectCoded(() => planCardReturn(returnTx('cash'), context({ staff: staff(), deviceMode: 'unattended' })), 'TENDER_NOT_ALLOWED');
    expect(planCardReturn(returnTx('bank_transfer'), context({ staff: staff(), deviceMode: 'unattended' })).cardChanges[0]!.status).toBe('cancelled');
    expectCoded(() => planCardReturn(returnTx(), context({ staff: staff(), card: card({ status: 'cancelled' }) })), 'CARD_BAD_STATE');
  });
});
