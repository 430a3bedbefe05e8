import { describe, expect, it } from 'vitest';
import type { TransactionOf } from '../wire/transaction.ts';
import { planRegisterMember } from './plan-register-member.ts';
import { context, ulid } from './test-support/builders.ts';
import { bundleWithCardTypes } from './test-support/card-types-bundle.ts';

function registerTx(at: string): TransactionOf<'register_member'> {
  return { id: ulid(60_001), deviceId: 'kiosk-1', seq: 1, epoch: '', kind: 'register_member', createdAt: at, storeId: 'S1', bundleVersion: 1, cardUid: 'C0000000000D', name: 'Zhou Xin', phone: '13900000001' };
}

describe('a card registered at a kiosk is of the default card type', () => {
  it('names the default type, so a later change of the default does not change what the card is', () => {
    const effect = planRegisterMember(registerTx('2025-03-01T02:00:00.000Z'), context({ bundle: bundleWithCardTypes() }));
    expect(effect.newCards).toEqual([{ uid: 'C0000000000D', memberId: `M-${ulid(60_001)}`, cardType: 'plain' }]);
  });

  it('is valid the default type’s months, to the end of that local day', () => {
    const base = bundleWithCardTypes();
    const bundle = { ...base, cardTypes: { ...base.cardTypes!, types: base.cardTypes!.types.map((t) => (t.typeId === 'plain' ? { ...t, validityMonths: 24 } : t)) } };
    const effect = planRegisterMember(registerTx('2025-03-01T02:00:00.000Z'), context({ bundle }));
    expect(effect.newCards[0]).toMatchObject({ cardType: 'plain', validUntil: '2027-03-01T15:59:59.999Z' });
  });

  it('rules without card types leave the card plain, as before', () => {
    const effect = planRegisterMember(registerTx('2025-03-01T02:00:00.000Z'), context({}));
    expect(effect.newCards).toEqual([{ uid: 'C0000000000D', memberId: `M-${ulid(60_001)}` }]);
  });
});
