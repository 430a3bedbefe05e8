import { describe, expect, it } from 'vitest';
import { planPurchase } from './plan-purchase.ts';
import { planPunchCardUse } from './plan-punch-card.ts';
import { planRefund } from './plan-refund.ts';
import { bundleWithCardsAndBonus, card, cash, context, expectCoded, posted, punchTx, purchaseTx, refundTx, staff, ulid } from './test-support/builders.ts';
import type { CardGrantRecord, PurchaseRecord, ServiceCardState } from './types.ts';

const bundle = bundleWithCardsAndBonus();
// AT is 2025-03-01 10:00 in Shanghai; 365 days later is 2026-03-01, whose local end is 23:59:59.999 +08:00.
const WASH_UNTIL = '2026-03-01T15:59:59.999Z';
// The gym card's 2025-12-31 ends at 23:59:59.999 +08:00.
const GYM_UNTIL = '2025-12-31T15:59:59.999Z';

const washLine = (lineNo: number, qty = 1) => ({ lineNo, sku: 'WASH-10', category: 'services', qty, unitPriceCents: 30_000 });
const wash = (punches: number, validUntil: string | null = WASH_UNTIL): ServiceCardState => ({ serviceId: 'car-wash', punches, validUntil });

describe('buying a count card', () => {
  it('credits qty × punches to the service account and sets the validity, recording the grant for a refund', () => {
    const tx = purchaseTx([washLine(1, 2)], [cash(60_000)]);
    const effect = planPurchase(tx, context({ bundle }));
    expect(posted(effect, 'punches:car-wash')).toBe(20);
    expect(effect.serviceCardChanges).toEqual([{ serviceId: 'car-wash', counted: true, validUntil: WASH_UNTIL }]);
    expect(effect.purchaseRecord?.cardGrants).toEqual([{ lineNo: 1, serviceId: 'car-wash', punches: 20, validUntil: WASH_UNTIL, before: null }]);
    // The card is still an ordinary line: 600 yuan earn 600 points.
    expect(effect.summary.pointsEarned).toBe(600);
  });

  it('pools punches with a card already held and keeps the later validity end', () => {
    const later = '2026-06-30T15:59:59.999Z';
    const effect = planPurchase(purchaseTx([washLine(1)], [cash(30_000)]), context({ bundle, serviceCards: [wash(4, later)] }));
    expect(posted(effect, 'punches:car-wash')).toBe(10);
    expect(effect.serviceCardChanges).toEqual([{ serviceId: 'car-wash', counted: true, validUntil: later }]);
    expect(effect.purchaseRecord?.cardGrants?.[0]?.before).toEqual({ counted: true, validUntil: later });
  });

  it('a time-only card posts no punches, only the validity', () => {
    const effect = planPurchase(purchaseTx([{ lineNo: 1, sku: 'GYM-2025', category: 'services', qty: 1, unitPriceCents: 99_900 }], [cash(99_900)]), context({ bundle }));
    expect(effect.postings.filter((p) => p.account.startsWith('punches:'))).toEqual([]);
    expect(effect.serviceCardChanges).toEqual([{ serviceId: 'gym', counted: false, validUntil: GYM_UNTIL }]);
  });

  it('a basket without cards touches no service card', () => {
    const effect = planPurchase(purchaseTx([{ lineNo: 1, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: 1_000 }], [cash(1_000)]), context({ bundle }));
    expect(effect.serviceCardChanges).toBeUndefined();
    expect(effect.purchaseRecord?.cardGrants).toBeUndefined();
  });
});

describe('punch_card_use', () => {
  it('takes exactly one punch and says how many are left', () => {
    const effect = planPunchCardUse(punchTx('car-wash'), context({ bundle, serviceCards: [wash(7)] }));
    expect(effect.postings).toEqual([{ account: 'punches:car-wash', amount: -1 }]);
    expect(effect.summary.trace).toEqual(['car-wash visit, 6 left']);
  });

  it('refuses an exhausted card, a service without a card, and a lost membership card', () => {
    expectCoded(() => planPunchCardUse(punchTx('car-wash'), context({ bundle, serviceCards: [wash(0)] })), 'PUNCH_CARD_EXHAUSTED');
    expectCoded(() => planPunchCardUse(punchTx('sauna'), context({ bundle, serviceCards: [wash(7)] })), 'PUNCH_CARD_UNKNOWN', { serviceId: 'sauna' });
    expectCoded(() => planPunchCardUse(punchTx('car-wash'), context({ bundle, serviceCards: [wash(7)], card: card({ status: 'lost' }) })), 'CARD_LOST');
  });

  it('a time card works until the end of its last local day and is refused after it, posting nothing', () => {
    const gym: ServiceCardState = { serviceId: 'gym', punches: null, validUntil: GYM_UNTIL };
    // 2025-12-31 23:30 in Shanghai.
    const lastEvening = planPunchCardUse(punchTx('gym', { at: '2025-12-31T15:30:00.000Z' }), context({ bundle, serviceCards: [gym] }));
    expect(lastEvening.postings).toEqual([]);
    // 2026-01-01 00:30 in Shanghai.
    expectCoded(() => planPunchCardUse(punchTx('gym', { at: '2025-12-31T16:30:00.000Z' }), context({ bundle, serviceCards: [gym] })), 'CARD_EXPIRED');
  });

  it('an expired count card is refused even with punches left', () => {
    expectCoded(() => planPunchCardUse(punchTx('car-wash', { at: '2026-03-01T16:00:00.000Z' }), context({ bundle, serviceCards: [wash(5)] })), 'CARD_EXPIRED');
  });
});

describe('refunding a count card line', () => {
  const purchaseId = ulid(9_001);
  const grant: CardGrantRecord = { lineNo: 1, serviceId: 'car-wash', punches: 10, validUntil: WASH_UNTIL, before: null };
  const record = (grants: CardGrantRecord[]): PurchaseRecord => ({
    txId: purchaseId,
    memberId: 'M1',
    lines: [{ lineNo: 1, netCents: 30_000, points: 300 }, { lineNo: 2, netCents: 1_000, points: 10 }],
    totalCents: 31_000,
    tenders: { cashCents: 31_000, storedValueCents: 0, bonusValueCents: 0, pointsValueCents: 0, points: 0 },
    lotsConsumed: [],
    earnedLotId: null,
    refundedLineNos: [],
    cardGrants: grants,
  });
  const refundAt = '2025-03-05T02:00:00.000Z';

  it('takes back only the punches left (3 of 10 used → 7 back) and ends a card the member did not have before', () => {
    const effect = planRefund(refundTx(purchaseId, [1], { at: refundAt }), context({ bundle, staff: staff(), purchase: record([grant]), serviceCards: [wash(7)] }));
    expect(posted(effect, 'punches:car-wash')).toBe(-7);
    expect(effect.serviceCardChanges).toEqual([{ serviceId: 'car-wash', counted: true, validUntil: refundAt }]);
    expect(effect.summary.trace).toContain('count card: 7 visits taken back, 3 already used');
  });

  it('with punches from a later card too, takes back the whole 10 and leaves the validity the later card set', () => {
    const later = '2026-04-01T15:59:59.999Z';
    const effect = planRefund(refundTx(purchaseId, [1], { at: refundAt }), context({ bundle, staff: staff(), purchase: record([grant]), serviceCards: [wash(15, later)] }));
    expect(posted(effect, 'punches:car-wash')).toBe(-10);
    expect(effect.serviceCardChanges).toEqual([{ serviceId: 'car-wash', counted: true, validUntil: later }]);
  });

  it('restores the validity the card had before the purchase when nothing moved it since', () => {
    const before = '2025-06-30T15:59:59.999Z';
    const g: CardGrantRecord = { ...grant, before: { counted: true, validUntil: before } };
    const effect = planRefund(refundTx(purchaseId, [1], { at: refundAt }), context({ bundle, staff: staff(), purchase: record([g]), serviceCards: [wash(12)] }));
    expect(posted(effect, 'punches:car-wash')).toBe(-10);
    expect(effect.serviceCardChanges).toEqual([{ serviceId: 'car-wash', counted: true, validUntil: before }]);
  });

  it('refunding another line of the purchase leaves the count card alone', () => {
    const effect = planRefund(refundTx(purchaseId, [2], { at: refundAt }), context({ bundle, staff: staff(), purchase: record([grant]), serviceCards: [wash(7)] }));
    expect(posted(effect, 'punches:car-wash')).toBe(0);
    expect(effect.serviceCardChanges).toBeUndefined();
  });
});

