import { describe, expect, it } from 'vitest';
import { planCardService } from './plan-card-service.ts';
import { planCardReturn } from './plan-card-return.ts';
import { AT, card, context, expectCoded, member, staff, ulid } from './test-support/builders.ts';
import { bundleWithCardTypes } from './test-support/card-types-bundle.ts';
import { cardServiceTx } from './test-support/card-tx.ts';

const bundle = bundleWithCardTypes();
const rich = member({ storedValueCents: 10_000 });
const gold = (o: Parameters<typeof card>[0] = {}) => card({ cardType: 'gold', validUntil: '2025-06-30T15:59:59.999Z', ...o });

describe('planCardService: repair and extension, their fees from the card type’s schedule', () => {
  it('extends from the current validity end when it is still ahead, by the type’s months, for the extension fee', () => {
    // 金卡 extend ¥30 for validityMonths 12 (no extendMonths): 30 June 2025 → 30 June 2026, local end of day.
    const effect = planCardService(cardServiceTx('extend', { feeCents: 3_000 }), context({ bundle, card: gold(), member: rich, staff: staff({ role: 'cashier' }) }));
    expect(effect.cardValidityChanges).toEqual([{ uid: 'A1B2C3D4', validUntil: '2026-06-30T15:59:59.999Z' }]);
    expect(effect.postings).toEqual([{ account: 'stored_value', amount: -3_000 }]);
    expect(effect.feeCharges).toEqual([{ cardUid: 'A1B2C3D4', feeKind: 'extend', cents: 3_000, tender: 'stored_value' }]);
    expect(effect.cardChanges).toEqual([]);
  });

  it('extends an expired card from today, not from the stretch already gone, and opens it again', () => {
    // Ended 31 Dec 2024; extended on 1 March 2025 (AT) by the supplementary type's extendMonths 6 → 1 Sept 2025.
    const expired = card({ cardType: 'supp', validUntil: '2024-12-31T15:59:59.999Z', status: 'expired' });
    const effect = planCardService(cardServiceTx('extend', { at: AT }), context({ bundle, card: expired, member: rich, staff: staff() }));
    expect(effect.cardValidityChanges).toEqual([{ uid: 'A1B2C3D4', validUntil: '2025-09-01T15:59:59.999Z' }]);
    expect(effect.cardChanges).toEqual([{ uid: 'A1B2C3D4', status: 'active' }]);
    // The supplementary type sets no extension fee: nothing charged, nothing recorded.
    expect(effect.postings).toEqual([]);
    expect(effect.feeCharges).toBeUndefined();
  });

  it('repairs for the repair fee and leaves the card as it was', () => {
    const effect = planCardService(cardServiceTx('repair', { feeTender: 'mobile', feeCents: 500 }), context({ bundle, card: gold(), member: rich, staff: staff() }));
    expect(effect.postings).toEqual([]);
    expect(effect.feeCharges).toEqual([{ cardUid: 'A1B2C3D4', feeKind: 'repair', cents: 500, tender: 'mobile' }]);
    expect(effect.cardValidityChanges).toBeUndefined();
    expect(effect.cardChanges).toEqual([]);
  });

  it('refuses a fee other than the schedule’s, a cancelled card, and an unattended counter tender', () => {
    expectCoded(() => planCardService(cardServiceTx('repair', { feeCents: 400 }), context({ bundle, card: gold(), member: rich, staff: staff() })), 'FEE_MISMATCH', {
      scheduledCents: 500,
      claimedCents: 400,
    });
    expectCoded(() => planCardService(cardServiceTx('extend'), context({ bundle, card: gold({ status: 'cancelled' }), member: rich, staff: staff() })), 'CARD_BAD_STATE');
    expectCoded(() => planCardService(cardServiceTx('repair', { feeTender: 'cash' }), context({ bundle, card: gold(), member: rich, staff: staff(), deviceMode: 'unattended' })), 'TENDER_NOT_ALLOWED');
    // A card of a type the rules no longer define is never charged a guess.
    expectCoded(() => planCardService(cardServiceTx('repair'), context({ bundle, card: gold({ cardType: 'bronze' }), member: rich, staff: staff() })), 'CARD_TYPE_UNKNOWN');
  });
});

describe('planCardReturn with the type’s return fee', () => {
  const returnTx = { id: ulid(70_001), deviceId: 'kiosk-1', seq: 1, epoch: '', kind: 'card_return' as const, createdAt: AT, storeId: 'S1', bundleVersion: 1, cardUid: 'A1B2C3D4', refundTender: 'cash' as const, actor: { staffId: 'staff-1', sessionId: 'session-kiosk-1-0001' } };

  it('takes the return fee out of the principal: payout = principal − fee', () => {
    // 附属卡 return fee ¥3 on ¥100 principal: ¥97 paid back.
    const effect = planCardReturn(returnTx, context({ bundle, card: card({ cardType: 'supp' }), member: rich, staff: staff() }));
    expect(effect.postings).toEqual([{ account: 'stored_value', amount: -10_000 }]);
    expect(effect.feeCharges).toEqual([{ cardUid: 'A1B2C3D4', feeKind: 'return', cents: 300, tender: 'stored_value' }]);
    expect(effect.summary.trace[0]).toContain('9700 cents paid back');
  });

  it('refuses a return whose principal cannot cover the fee', () => {
    expectCoded(() => planCardReturn(returnTx, context({ bundle, card: card({ cardType: 'supp' }), member: member({ storedValueCents: 299 }), staff: staff() })), 'CARD_RETURN_BALANCE_OWED', {
      feeCents: 300,
    });
  });
});
