import { describe, expect, it } from 'vitest';
import { assertMemberPinProof, memberPinRequired } from './member-pin-rules.ts';
import { planPurchase } from './plan-purchase.ts';
import { AT, context, expectCoded, member, MEMBER_ID, purchaseTx, storedValue } from './test-support/builders.ts';

const proof = { proofId: 'proof-0123456789abcdef', memberId: MEMBER_ID, deviceId: 'kiosk-1', openedAt: '2025-03-01T01:59:00.000Z', expiresAt: '2025-03-01T02:02:00.000Z' };
const tv = (memberPinProof?: string) => ({ ...purchaseTx([{ lineNo: 1, sku: 'TV', category: 'electronics', qty: 1, unitPriceCents: 15_000 }], [storedValue(15_000)]), ...(memberPinProof ? { memberPinProof } : {}) });

describe('member PIN rules', () => {
  it('asks above the threshold only; the stricter threshold wins over the named rules', () => {
    expect(memberPinRequired({ memberPin: { storedValueAboveCents: 10_000 } }, 10_000)).toBe(false);
    expect(memberPinRequired({ memberPin: { storedValueAboveCents: 10_000 } }, 10_001)).toBe(true);
    expect(memberPinRequired({}, 1_000_000)).toBe(false);
    expect(memberPinRequired({}, 6_000, 5_000)).toBe(true);
  });

  it('takes a proof for this member, from this kiosk, open at the time', () => {
    const tx = { deviceId: 'kiosk-1', createdAt: AT, memberPinProof: proof.proofId };
    assertMemberPinProof(tx, MEMBER_ID, proof);
    expectCoded(() => assertMemberPinProof({ ...tx, memberPinProof: undefined }, MEMBER_ID, proof), 'MEMBER_PIN_REQUIRED');
    expectCoded(() => assertMemberPinProof(tx, 'M2', proof), 'MEMBER_PIN_REQUIRED');
    expectCoded(() => assertMemberPinProof({ ...tx, deviceId: 'kiosk-2' }, MEMBER_ID, proof), 'MEMBER_PIN_REQUIRED');
    expectCoded(() => assertMemberPinProof({ ...tx, createdAt: '2025-03-01T02:05:00.000Z' }, MEMBER_ID, proof), 'MEMBER_PIN_REQUIRED');
    expectCoded(() => assertMemberPinProof(tx, MEMBER_ID, null), 'MEMBER_PIN_REQUIRED');
  });

  it('a purchase paying stored value above the threshold is refused without the proof and drawn with it', () => {
    const rich = member({ storedValueCents: 50_000 });
    expectCoded(() => planPurchase(tv(), context({ member: rich, memberPinAboveCents: 10_000 })), 'MEMBER_PIN_REQUIRED');
    const effect = planPurchase(tv(proof.proofId), context({ member: rich, memberPinAboveCents: 10_000, memberPinProof: proof }));
    expect(effect.summary.valueDeltaCents).toBe(-15_000);
    expect(planPurchase(tv(), context({ member: rich, memberPinAboveCents: null })).summary.valueDeltaCents).toBe(-15_000);
  });
});
