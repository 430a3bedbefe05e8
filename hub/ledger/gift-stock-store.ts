/**
 * Gift stock per store (门店礼品库存, schema 8): what the console's Gifts page reads and how HQ and store managers
 * receive and adjust a store's stock. A store that has a row for a gift redeems that gift from its row only
 * (refused GIFT_OUT_OF_STOCK at 0); a store without one from the chain-wide stock (the gifts table), as before.
 * Redemptions take stock through the ledger's one write path (sqlite-write-port.ts); these are the other changes.
 */

export interface StoreGiftStock {
  storeId: string;
  sku: string;
  stock: number;
  updatedAt: string;
}

export interface GiftStockChange {
  storeId: string;
  sku: string;
  /** Units added (a delivery) or taken away (breakage, a count that came out lower); never 0. */
  delta: number;
  at: string;
}

export interface GiftStockStore {
  /** The stock rows of these stores ('*': every store), by store then SKU. */
  storeStock(storeIds: readonly string[] | '*'): Promise<StoreGiftStock[]>;
  /**
   * Adds `delta` to the store's stock of the gift (a first change makes the row, from 0): one database statement
   * beside the ledger's batches, so a redemption sees the stock before or after it, never half. The stock never
   * goes below 0: GIFT_STOCK_NEGATIVE, nothing changed.
   */
  changeStoreStock(change: GiftStockChange): Promise<{ before: number | null; after: number }>;
}
