/**
 * The purchase the end-to-end benchmark sells, one per index: the four demo members' cards in turn, two lines, cash.
 * Shared by the benchmark and the kiosk process it forks (kiosk-latency-process.ts), so both sell the same baskets.
 */
import type { TxBodyInput } from '../../../device/outbox/sqlite-outbox.ts';
import { DEMO_CARDS } from '../../../hub/demo/seed-demo-data.ts';

export const benchPurchase = (i: number): TxBodyInput => ({
  kind: 'purchase',
  cardUid: [DEMO_CARDS.standard, DEMO_CARDS.silver, DEMO_CARDS.gold, DEMO_CARDS.diamond][i % 4]!,
  lines: [
    { lineNo: 1, sku: `SKU-${i % 97}`, category: 'grocery', qty: 1 + (i % 3), unitPriceCents: 1_250 + (i % 500) },
    { lineNo: 2, sku: `SKU-${i % 89}`, category: 'household', qty: 1, unitPriceCents: 3_990 },
  ],
  payments: [{ method: 'cash', amountCents: (1 + (i % 3)) * (1_250 + (i % 500)) + 3_990 }],
});
