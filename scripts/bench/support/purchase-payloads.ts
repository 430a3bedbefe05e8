/**
 * Pre-built purchase payloads for benchmarks: realistic baskets, cash-paid so no balance runs out, in the kiosk's
 * own wire format (format version, sequence epoch, and the id of the transaction placed before, `prevId`, which the
 * ledger checks against the kiosk's last seq: a benchmark without it skipped that read).
 */
import { randomBytes } from 'node:crypto';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { TX_FORMAT, type TransactionInput } from '../../../core/wire/transaction.ts';

export function purchasePayloads(deviceId: string, cardUids: readonly string[], count: number): TransactionInput[] {
  const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
  const at = new Date().toISOString();
  const epoch = nextId();
  const ids = Array.from({ length: count }, () => nextId());
  return Array.from({ length: count }, (_, i) => {
    const lines = [
      { lineNo: 1, sku: `SKU-${i % 97}`, category: 'grocery', qty: 1 + (i % 3), unitPriceCents: 1_250 + (i % 500) },
      { lineNo: 2, sku: `SKU-${i % 89}`, category: 'household', qty: 1, unitPriceCents: 3_990 },
    ];
    const total = lines.reduce((sum, l) => sum + l.qty * l.unitPriceCents, 0);
    return {
      v: TX_FORMAT,
      id: ids[i]!,
      deviceId,
      epoch,
      seq: 1 + i,
      ...(i > 0 ? { prevId: ids[i - 1]! } : {}),
      kind: 'purchase',
      createdAt: at,
      storeId: 'store-001',
      bundleVersion: 1,
      cardUid: cardUids[i % cardUids.length]!,
      lines,
      payments: [{ method: 'cash', amountCents: total }],
    };
  });
}

/** Creates `count` members with one card each; returns the card UIDs. */
export function benchCardUids(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `B0${i.toString(16).toUpperCase().padStart(8, '0')}`);
}
