/**
 * Gift stock per store on the PostgreSQL ledger (../gift-stock-store.ts; the statements of
 * ../sqlite/sqlite-gift-stock.ts). A change reads and writes the row in one SERIALIZABLE database transaction on
 * the store's retrying runner, so a redemption in a batch sees the stock before or after it, never half.
 */
import type pg from 'pg';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { GiftStockChange, GiftStockStore, StoreGiftStock } from '../gift-stock-store.ts';

interface StockRow {
  store_id: string;
  sku: string;
  stock: number;
  updated_at: string;
}

export class PostgresGiftStock implements GiftStockStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly transaction: <T>(work: (work: { client: pg.PoolClient }) => Promise<T>) => Promise<T>,
  ) {}

  async storeStock(storeIds: readonly string[] | '*'): Promise<StoreGiftStock[]> {
    if (storeIds !== '*' && storeIds.length === 0) return [];
    const rows =
      storeIds === '*'
        ? await this.pool.query<StockRow>('SELECT store_id, sku, stock, updated_at FROM gift_store_stock ORDER BY store_id, sku')
        : await this.pool.query<StockRow>('SELECT store_id, sku, stock, updated_at FROM gift_store_stock WHERE store_id = ANY($1::text[]) ORDER BY store_id, sku', [[...storeIds]]);
    return rows.rows.map((r) => ({ storeId: r.store_id, sku: r.sku, stock: r.stock, updatedAt: r.updated_at }));
  }

  async changeStoreStock(change: GiftStockChange): Promise<{ before: number | null; after: number }> {
    return this.transaction(async ({ client }) => {
      const before = (await client.query<{ stock: number }>('SELECT stock FROM gift_store_stock WHERE store_id = $1 AND sku = $2', [change.storeId, change.sku])).rows[0]?.stock ?? null;
      const after = (before ?? 0) + change.delta;
      if (after < 0) throw new CodedError('GIFT_STOCK_NEGATIVE', `store ${change.storeId} holds ${before ?? 0} of ${change.sku}`, { stock: before ?? 0 });
      await client.query(
        `INSERT INTO gift_store_stock (store_id, sku, stock, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store_id, sku) DO UPDATE SET stock = excluded.stock, updated_at = excluded.updated_at`,
        [change.storeId, change.sku, after, change.at],
      );
      return { before, after };
    });
  }
}
