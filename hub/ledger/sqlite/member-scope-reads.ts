/**
 * The SQLite side of members' scope (../ledger-store.ts, memberStores and memberIdsInScope): a member is known
 * in their home store and in the store of every kiosk that made an applied transaction of theirs. The store of
 * a transaction is read through its device (transactions.device_id → devices.store_id) as it is enrolled now:
 * the ledger keeps no store per transaction, and a kiosk re-enrolled in another store takes its history there.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { MemberScope, MemberStores } from '../../../core/identity/member-scope.ts';

export interface MemberScopeReads {
  memberStores(memberId: string): MemberStores | null;
  memberIdsInScope(scope: MemberScope, limit: number): string[];
}

export function createMemberScopeReads(db: Database): MemberScopeReads {
  const homeStore: Statement<[string], { home_store_id: string | null }> = db.prepare('SELECT home_store_id FROM members WHERE member_id = ?');
  // By the member's transactions (transactions_by_member), then each one's device.
  const shoppedAt: Statement<[string], { store_id: string }> = db.prepare(
    `SELECT DISTINCT d.store_id FROM transactions t JOIN devices d ON d.device_id = t.device_id
     WHERE t.member_id = ? AND t.status = 'applied' AND d.store_id IS NOT NULL ORDER BY d.store_id`,
  );
  const everyMember: Statement<[number], { member_id: string }> = db.prepare('SELECT member_id FROM members ORDER BY member_id LIMIT ?');
  // The stores as one JSON array parameter (json_each), so one statement serves any number of them. The second
  // half walks the transactions of the stores' devices (by the (device_id, epoch, seq) index): a cost that grows
  // with a store's history, paid for a listing, never for a single member's check.
  const inStores: Statement<[{ stores: string; limit: number }], { member_id: string }> = db.prepare(
    `SELECT member_id FROM (
       SELECT member_id FROM members WHERE home_store_id IN (SELECT value FROM json_each(@stores))
       UNION
       SELECT t.member_id FROM devices d JOIN transactions t ON t.device_id = d.device_id
       WHERE d.store_id IN (SELECT value FROM json_each(@stores)) AND t.status = 'applied' AND t.member_id IS NOT NULL
     ) ORDER BY member_id LIMIT @limit`,
  );

  return {
    memberStores(memberId) {
      const member = homeStore.get(memberId);
      if (!member) return null;
      return { homeStoreId: member.home_store_id, shoppedAtStoreIds: shoppedAt.all(memberId).map((r) => r.store_id) };
    },
    memberIdsInScope(scope, limit) {
      const rows = scope.kind === 'chain' ? everyMember.all(limit) : scope.storeIds.length === 0 ? [] : inStores.all({ stores: JSON.stringify(scope.storeIds), limit });
      return rows.map((r) => r.member_id);
    },
  };
}
