import { describe, expect, it } from 'vitest';
import { memberInScope, memberScopeOf, type MemberStores } from './member-scope.ts';

const registeredAtA: MemberStores = { homeStoreId: 'store-A', shoppedAtStoreIds: ['store-A'] };
const ofBShoppingAtA: MemberStores = { homeStoreId: 'store-B', shoppedAtStoreIds: ['store-A', 'store-B'] };
const ofBOnly: MemberStores = { homeStoreId: 'store-B', shoppedAtStoreIds: ['store-B'] };
const fromBeforeHomeStores: MemberStores = { homeStoreId: null, shoppedAtStoreIds: [] };

describe('member scope', () => {
  it("gives chain-wide staff ('*', alone or among stores) every member, those without a home store too", () => {
    expect(memberScopeOf(['*'])).toEqual({ kind: 'chain' });
    expect(memberScopeOf(['store-A', '*'])).toEqual({ kind: 'chain' });
    for (const member of [registeredAtA, ofBOnly, fromBeforeHomeStores]) expect(memberInScope(memberScopeOf(['*']), member)).toBe(true);
  });

  it('gives a store manager the members registered in their store and those who shop there, and no one else', () => {
    const managerOfA = memberScopeOf(['store-A']);
    expect(managerOfA).toEqual({ kind: 'stores', storeIds: ['store-A'] });
    expect(memberInScope(managerOfA, registeredAtA)).toBe(true);
    expect(memberInScope(managerOfA, { homeStoreId: 'store-A', shoppedAtStoreIds: [] })).toBe(true);
    expect(memberInScope(managerOfA, ofBShoppingAtA)).toBe(true);
    expect(memberInScope(managerOfA, ofBOnly)).toBe(false);
    expect(memberInScope(managerOfA, fromBeforeHomeStores)).toBe(false);
    expect(memberInScope(managerOfA, { homeStoreId: null, shoppedAtStoreIds: ['store-A'] })).toBe(true);
  });

  it('gives a region manager the members of each store they list', () => {
    const regionAB = memberScopeOf(['store-A', 'store-B']);
    expect(memberInScope(regionAB, registeredAtA)).toBe(true);
    expect(memberInScope(regionAB, ofBOnly)).toBe(true);
    expect(memberInScope(regionAB, { homeStoreId: 'store-C', shoppedAtStoreIds: ['store-C'] })).toBe(false);
  });

  it('gives staff listing no store nobody', () => {
    expect(memberInScope(memberScopeOf([]), registeredAtA)).toBe(false);
  });
});
