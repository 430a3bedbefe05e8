/**
 * The SQLite ledger's administration writes and lists (../ledger-admin.ts): members made with their cards (demo
 * data, tests, the simulation), the gift catalogue, and member ids for tools. Not the path of any kiosk's money:
 * balances only change through transactions.
 */
import type { Database as DatabaseHandle } from 'better-sqlite3';
import type { GiftState } from '../../../core/ledger/types.ts';
import type { NewMember } from '../ledger-admin.ts';
import { writeTransaction } from './write-transaction.ts';

export function createMember(db: DatabaseHandle, member: NewMember): void {
  const now = new Date().toISOString();
  writeTransaction(db, () => {
    db.prepare(
      'INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at, home_store_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(member.memberId, member.name, member.phone, member.tier, member.referrerId ?? null, member.creditLimitCents ?? 0, now, member.homeStoreId ?? null);
    for (const card of member.cards) {
      db.prepare("INSERT INTO cards (uid, member_id, status, valid_from, valid_until, issued_at) VALUES (?, ?, 'active', NULL, ?, ?)").run(
        card.uid, member.memberId, card.validUntil ?? null, now,
      );
    }
  })();
}

export function upsertGift(db: DatabaseHandle, gift: GiftState): void {
  db.prepare('INSERT INTO gifts (sku, name, points_price, stock) VALUES (?, ?, ?, ?) ON CONFLICT(sku) DO UPDATE SET name = excluded.name, points_price = excluded.points_price, stock = excluded.stock').run(
    gift.sku, gift.name, gift.pointsPrice, gift.stock,
  );
}

export function listGifts(db: DatabaseHandle): GiftState[] {
  return db
    .prepare<[], { sku: string; name: string; points_price: number; stock: number }>('SELECT sku, name, points_price, stock FROM gifts ORDER BY points_price, sku')
    .all()
    .map((r) => ({ sku: r.sku, name: r.name, pointsPrice: r.points_price, stock: r.stock }));
}

export function listMemberIds(db: DatabaseHandle, limit: number): string[] {
  return db.prepare<[number], { member_id: string }>('SELECT member_id FROM members ORDER BY member_id LIMIT ?').all(limit).map((r) => r.member_id);
}
