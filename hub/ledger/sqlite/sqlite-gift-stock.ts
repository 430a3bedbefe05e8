/**
 * Gift stock per store on SQLite (gift_store_stock, schema-console-features.ts): the reads and the write the
 * ledger's redemption uses inside its batch transaction, and the console's receive/adjust (../gift-stock-store.ts).
 */
import type { Database, Statement } from 'better-sqlite3';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { GiftState } from '../../../core/ledger/types.ts';
import type { GiftStockChange, GiftStockStore, StoreGiftStock } from '../gift-stock-store.ts';

interface StockRow {
  store_id: string;
  sku: string;
  stock: number;
  updated_at: string;
}

/** What the write port needs, prepared once: the store's stock of a gift, and taking from it. */
export class StoreGiftStockStatements {
  private readonly stockOf: Statement<[string, string], { stock: number }>;
  private readonly addStock: Statement<[number, string, string, string]>;

  constructor(db: Database) {
    this.stockOf = db.prepare('SELECT stock FROM gift_store_stock WHERE store_id = ? AND sku = ?');
    this.addStock = db.prepare('UPDATE gift_store_stock SET stock = stock + ?, updated_at = ? WHERE store_id = ? AND sku = ?');
  }

  /** The gift as a redemption at `storeId` counts it: with the store's own stock when it keeps one. */
  giftAt(gift: GiftState | null, storeId: string): GiftState | null {
    if (!gift) return null;
    const row = this.stockOf.get(storeId, gift.sku);
    return row ? { ...gift, stock: row.stock, storeId } : gift;
  }

  /** Inside the batch transaction: a row that is not there is a defect (the planner read it), so it throws and the batch rolls back. */
  take(storeId: string, sku: string, delta: number, at: string): void {
    if (this.addStock.run(delta, at, storeId, sku).changes !== 1) throw new Error(`no stock row for ${sku} at store ${storeId}`);
  }
}

export class SqliteGiftStock implements GiftStockStore {
  constructor(private readonly db: Database) {}

  async storeStock(storeIds: readonly string[] | '*'): Promise<StoreGiftStock[]> {
    const rows =
      storeIds === '*'
        ? this.db.prepare<[], StockRow>('SELECT store_id, sku, stock, updated_at FROM gift_store_stock ORDER BY store_id, sku').all()
        : storeIds.length === 0
          ? []
          : this.db
              .prepare<string[], StockRow>(`SELECT store_id, sku, stock, updated_at FROM gift_store_stock WHERE store_id IN (${storeIds.map(() => '?').join(', ')}) ORDER BY store_id, sku`)
              .all(...storeIds);
    return rows.map((r) => ({ storeId: r.store_id, sku: r.sku, stock: r.stock, updatedAt: r.updated_at }));
  }

  async changeStoreStock(change: GiftStockChange): Promise<{ before: number | null; after: number }> {
    // Immediate: the read and the write are one step, whatever else writes this database (a batch waits its turn).
    return this.db
      .transaction(() => {
        const before = this.db.prepare<[string, string], { stock: number }>('SELECT stock FROM gift_store_stock WHERE store_id = ? AND sku = ?').get(change.storeId, change.sku)?.stock ?? null;
        const after = (before ?? 0) + change.delta;
        if (after < 0) throw new CodedError('GIFT_STOCK_NEGATIVE', `store ${change.storeId} holds ${before ?? 0} of ${change.sku}`, { stock: before ?? 0 });
        this.db
          .prepare('INSERT INTO gift_store_stock (store_id, sku, stock, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(store_id, sku) DO UPDATE SET stock = excluded.stock, updated_at = excluded.updated_at')
          .run(change.storeId, change.sku, after, change.at);
        return { before, after };
      })
      .immediate();
  }
}
