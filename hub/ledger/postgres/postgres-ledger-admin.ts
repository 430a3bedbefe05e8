/**
 * The PostgreSQL side of the ledger's administration (../ledger-admin.ts), moved out of postgres-ledger-store.ts:
 * reference data set up by HQ and the demo data — members with their cards, gifts — written directly, not as
 * transactions, so nothing here goes through the write path or the journal.
 */
import type pg from 'pg';
import type { GiftState } from '../../../core/ledger/types.ts';
import type { LedgerAdmin, NewMember } from '../ledger-admin.ts';

export class PostgresLedgerAdmin implements LedgerAdmin {
  constructor(private readonly pool: pg.Pool) {}

  async createMember(member: NewMember): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const now = new Date().toISOString();
      await client.query(
        'INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at, home_store_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [member.memberId, member.name, member.phone, member.tier, member.referrerId ?? null, member.creditLimitCents ?? 0, now, member.homeStoreId ?? null],
      );
      for (const card of member.cards) {
        await client.query("INSERT INTO cards (uid, member_id, status, valid_from, valid_until, issued_at) VALUES ($1, $2, 'active', NULL, $3, $4)", [
          card.uid, member.memberId, card.validUntil ?? null, now,
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async upsertGift(gift: GiftState): Promise<void> {
    await this.pool.query(
      `INSERT INTO gifts (sku, name, points_price, stock) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sku) DO UPDATE SET name = excluded.name, points_price = excluded.points_price, stock = excluded.stock`,
      [gift.sku, gift.name, gift.pointsPrice, gift.stock],
    );
  }

  async listGifts(): Promise<GiftState[]> {
    const { rows } = await this.pool.query<{ sku: string; name: string; points_price: number; stock: number }>('SELECT sku, name, points_price, stock FROM gifts ORDER BY points_price, sku');
    return rows.map((r) => ({ sku: r.sku, name: r.name, pointsPrice: r.points_price, stock: r.stock }));
  }

  async listMemberIds(limit: number): Promise<string[]> {
    return (await this.pool.query<{ member_id: string }>('SELECT member_id FROM members ORDER BY member_id LIMIT $1', [limit])).rows.map((r) => r.member_id);
  }
}
