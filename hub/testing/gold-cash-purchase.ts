/** A one-line cash purchase by the demo gold member, as a raw kiosk body (RawDeviceClient.make): the ingest tests' sale. */
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';

export const goldCashPurchase = (cents: number) => ({
  kind: 'purchase' as const,
  cardUid: DEMO_CARDS.gold,
  lines: [{ lineNo: 1, sku: 'SKU-1', category: 'grocery', qty: 1, unitPriceCents: cents }],
  payments: [{ method: 'cash' as const, amountCents: cents }],
});
