/**
 * Which members a signed-in staff member's requests reach: those in their scope (core/identity/member-scope.ts),
 * after require-staff.ts has checked their role. Every member route goes through here before it reads a member's
 * personal data or submits anything for them.
 *
 * A member outside the caller's scope is answered 404 MEMBER_UNKNOWN, exactly as a member who does not exist,
 * not 403 AUTH_FORBIDDEN. In this API AUTH_FORBIDDEN says the caller's role may not use the route, answered
 * before anything is read; a scope refusal depends on the member, and answering it apart from "no such member"
 * would let a store manager learn which ids are members elsewhere in the chain (the demo's ids are consecutive,
 * a registration's carries its time).
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import { memberInScope, memberScopeOf } from '../../core/identity/member-scope.ts';
import type { SignedIn } from '../identity/identity-service.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';

export type MemberAccessStore = Pick<LedgerStore, 'memberStores' | 'memberIdsInScope'>;

type Staff = Pick<SignedIn['staff'], 'storeIds'>;

/** Throws MEMBER_UNKNOWN unless the member exists and is in the staff member's scope. */
export async function assertMemberInScope(store: MemberAccessStore, staff: Staff, memberId: string): Promise<void> {
  const stores = await store.memberStores(memberId);
  if (!stores || !memberInScope(memberScopeOf(staff.storeIds), stores)) throw new CodedError('MEMBER_UNKNOWN');
}

/**
 * The ids of the members in the staff member's scope, in order, at most `limit`. The back end narrows the list
 * (its query follows the same rule, which the ledger contract suite checks); each member is checked again by
 * core's rule before any of their data is shown, so a back end whose query is too wide shows nobody extra.
 */
export async function memberIdsInScopeOf(store: MemberAccessStore, staff: Staff, limit: number): Promise<string[]> {
  const scope = memberScopeOf(staff.storeIds);
  const ids = await store.memberIdsInScope(scope, limit);
  if (scope.kind === 'chain') return ids;
  const checked: string[] = [];
  for (const id of ids) {
    const stores = await store.memberStores(id);
    if (stores && memberInScope(scope, stores)) checked.push(id);
  }
  return checked;
}
