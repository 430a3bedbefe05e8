/**
 * Which members a staff member may see at the hub. Staff work in stores (`storeIds`, '*': every store); a
 * member belongs to the store that registered them or issued their card (their home store) and is known in
 * every store where they have a transaction the ledger applied. A store manager sees the members of their
 * store and the members who shop there (they serve them at the counter); a region manager the same for each
 * store they list; chain-wide staff ('*') see every member.
 *
 * Members registered before home stores were recorded (ledger schema 4) have none: only chain-wide staff see
 * them until they shop in a store. Role is a separate check (hub/http/require-staff.ts): this decides only whose
 * personal data a role that may read members gets to see.
 */

/** A staff member's store list naming this works in every store of the chain. */
export const EVERY_STORE = '*';

/** Whose members a staff member sees: the whole chain's, or those known in some stores. */
export type MemberScope = { kind: 'chain' } | { kind: 'stores'; storeIds: readonly string[] };

/** Where a member is known. */
export interface MemberStores {
  /** The store that registered them or issued their card; null: not recorded (a member from before ledger schema 4). */
  homeStoreId: string | null;
  /** Stores where they have an applied transaction (the store of the kiosk that made it), each once. */
  shoppedAtStoreIds: readonly string[];
}

export function memberScopeOf(staffStoreIds: readonly string[]): MemberScope {
  return staffStoreIds.includes(EVERY_STORE) ? { kind: 'chain' } : { kind: 'stores', storeIds: [...new Set(staffStoreIds)] };
}

export function memberInScope(scope: MemberScope, member: MemberStores): boolean {
  if (scope.kind === 'chain') return true;
  const stores = new Set(scope.storeIds);
  if (member.homeStoreId !== null && stores.has(member.homeStoreId)) return true;
  return member.shoppedAtStoreIds.some((storeId) => stores.has(storeId));
}
