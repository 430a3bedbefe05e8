/** The receipt check's read on the PostgreSQL ledger: one transaction as recorded, with a purchase's charged total. */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { TX_FORMAT } from '../../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../demo/seed-demo-data.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import { parseLedgerTransaction } from '../ledger-parse.ts';
import { openLedger } from '../open-ledger.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

describe('receipt reads on the PostgreSQL ledger', () => {
  afterAll(stopPostgres);

  it('reads a purchase as recorded with its charged total, a refused one with its code, an unknown id as none', async () => {
    const store = await openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase('receipts'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });
    try {
      await seedDemoData(store);
      await store.identity.setDeviceMode('kiosk-c', 'attended');
      const sale = (seq: number, cardUid: string) =>
        JSON.stringify({
          v: TX_FORMAT, id: nextId(), deviceId: 'kiosk-c', epoch: 'E1', seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'purchase', cardUid,
          lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 2, unitPriceCents: 350 }], payments: [{ method: 'cash', amountCents: 700 }],
        });
      const [applied, refused] = [sale(1, DEMO_CARDS.gold), sale(2, 'FFFF0000FFFF')];
      const results = await store.applyBatch([applied, refused].map((raw) => ({ topicDeviceId: 'kiosk-c', parsed: parseLedgerTransaction(raw) })));
      expect(results.map((r) => r.status)).toEqual(['applied', 'rejected']);
      expect(await store.receipts.transactionRecord(results[0]!.id!)).toMatchObject({
        txId: results[0]!.id, deviceId: 'kiosk-c', kind: 'purchase', status: 'applied', code: null, payload: applied, purchaseTotalCents: 700,
      });
      expect(await store.receipts.transactionRecord(results[1]!.id!)).toMatchObject({ status: 'rejected', code: 'CARD_UNKNOWN', payload: refused, purchaseTotalCents: null });
      expect(await store.receipts.transactionRecord(nextId())).toBeNull();
    } finally {
      await store.close();
    }
  });
});
