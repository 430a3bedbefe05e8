import type { MemberView } from '../../core/wire/lookup.ts';

export function makeMember(cardUid: string, overrides: Partial<MemberView> = {}): MemberView {
  return {
    memberId: `M-${cardUid.length}-0001`,
    name: 'Ada Member',
    phoneMasked: '*******1234',
    tier: 'gold',
    card: { uid: cardUid, status: 'active', validUntil: null },
    balances: { storedValueCents: 12_345, bonusValueCents: 500, points: 800 },
    creditLimitCents: 0,
    history: [{ txId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', kind: 'purchase', at: '2026-01-01T10:00:00.000Z', valueDeltaCents: -350, pointsDelta: 3, status: 'applied' }],
    asOf: '2026-01-02T10:00:00.000Z',
    ...overrides,
  };
}
