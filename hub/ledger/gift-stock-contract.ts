/**
 * The contract of gift stock per store (schema 8, gift-stock-store.ts), registered beside the ledger contract
 * suite by each back end's contract test: a redemption at a store that keeps its own stock of the gift takes it
 * from there (refused GIFT_OUT_OF_STOCK at 0, whatever the chain holds), a store without a row takes the
 * chain-wide stock as before, and a resent or repeated redemption takes stock once.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import type { Ledger } from './ledger.ts';
import { parseLedgerTransaction } from './ledger-parse.ts';
import type { MakeContractStore } from './ledger-store-contract.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
/** Demo gift: 500 points, 50 in the chain-wide stock (seed-demo-data.ts). */
const MUG = 'GIFT-MUG';
const AT = '2026-03-01T10:00:00.000Z';

export function describeGiftStockContract(name: string, makeStore: MakeContractStore): void {
  describe(`gift stock per store contract: ${name}`, () => {
    let current: Ledger | null = null;
    let seq = 0;

    async function open(): Promise<Ledger> {
      const store = await makeStore({});
      current = store;
      seq = 0;
      await seedDemoData(store);
      return store;
    }

    afterEach(async () => {
      const store = current;
      current = null;
      if (!store) return;
      const findings = await store.audit();
      await store.close();
      expect(findings).toEqual([]);
    });

    const redeem = (qty = 1, storeId = DEMO_STORE_ID) =>
      JSON.stringify({ v: TX_FORMAT, id: nextId(), deviceId: 'kiosk-gifts', epoch: 'E1', seq: ++seq, createdAt: new Date().toISOString(), storeId, bundleVersion: 1, kind: 'redeem_gift', cardUid: DEMO_CARDS.gold, giftSku: MUG, qty });
    const received = (raw: string) => ({ topicDeviceId: 'kiosk-gifts', parsed: parseLedgerTransaction(raw) });
    const apply = async (store: Ledger, raw: string): Promise<TxResult> => (await store.applyBatch([received(raw)]))[0]!;
    const chainStock = async (store: Ledger) => (await store.listGifts()).find((g) => g.sku === MUG)!.stock;
    const storeStock = async (store: Ledger, storeId = DEMO_STORE_ID) => (await store.giftStock.storeStock([storeId])).find((r) => r.sku === MUG)?.stock ?? null;
    const points = async (store: Ledger) => (await store.memberViewByCard(DEMO_CARDS.gold))!.balances.points;

    it('takes the chain-wide stock at a store that keeps none of the gift (as before schema 8)', async () => {
      const store = await open();
      // Another store's row changes nothing here.
      await store.giftStock.changeStoreStock({ storeId: 'store-other', sku: MUG, delta: 5, at: AT });
      expect(await apply(store, redeem(2))).toMatchObject({ status: 'applied' });
      expect(await chainStock(store)).toBe(48);
      expect(await storeStock(store)).toBeNull();
      expect(await storeStock(store, 'store-other')).toBe(5);
    });

    it("takes a store's own stock from that store only, and refuses GIFT_OUT_OF_STOCK when it has none left", async () => {
      const store = await open();
      expect(await store.giftStock.changeStoreStock({ storeId: DEMO_STORE_ID, sku: MUG, delta: 2, at: AT })).toEqual({ before: null, after: 2 });
      expect(await apply(store, redeem(2))).toMatchObject({ status: 'applied' });
      expect(await storeStock(store)).toBe(0);
      expect(await chainStock(store)).toBe(50);
      const pointsBefore = await points(store);
      // The chain still holds 50: the store's empty shelf decides.
      expect(await apply(store, redeem(1))).toMatchObject({ status: 'rejected', code: 'GIFT_OUT_OF_STOCK' });
      expect(await points(store)).toBe(pointsBefore);
      expect(await storeStock(store)).toBe(0);
      expect(await chainStock(store)).toBe(50);
    });

    it('takes the stock once for a redemption resent, alone or twice in one batch', async () => {
      const store = await open();
      await store.giftStock.changeStoreStock({ storeId: DEMO_STORE_ID, sku: MUG, delta: 3, at: AT });
      const tx = redeem(1);
      expect(await apply(store, tx)).toMatchObject({ status: 'applied' });
      expect(await apply(store, tx)).toMatchObject({ status: 'exists', original: 'applied' });
      const again = redeem(1);
      const results = await store.applyBatch([received(again), received(again)]);
      expect(results.map((r) => r.status)).toEqual(['applied', 'exists']);
      expect(await storeStock(store)).toBe(1);
      expect(await chainStock(store)).toBe(50);
    });

    it('never takes a store below zero by a change: GIFT_STOCK_NEGATIVE, nothing changed', async () => {
      const store = await open();
      await store.giftStock.changeStoreStock({ storeId: DEMO_STORE_ID, sku: MUG, delta: 4, at: AT });
      await expect(store.giftStock.changeStoreStock({ storeId: DEMO_STORE_ID, sku: MUG, delta: -5, at: AT })).rejects.toMatchObject({ code: 'GIFT_STOCK_NEGATIVE' });
      expect(await store.giftStock.changeStoreStock({ storeId: DEMO_STORE_ID, sku: MUG, delta: -4, at: AT })).toEqual({ before: 4, after: 0 });
      expect(await store.giftStock.storeStock('*')).toEqual([{ storeId: DEMO_STORE_ID, sku: MUG, stock: 0, updatedAt: AT }]);
    });
  });
}
