/**
 * The exactly-once-in-order check shared by the crash tests: every entry the kiosk's outbox holds is in the
 * hub's ledger exactly once, under the same seq, all applied, in seq order, and the hub holds nothing else
 * from this device.
 */
import { expect } from 'vitest';
import type { LedgerTxRow } from './ledger-file.ts';
import type { OutboxRow } from './outbox-file.ts';

export function expectDeliveredOnceInOrder(outbox: OutboxRow[], ledger: LedgerTxRow[]): void {
  // The device numbers without gaps from 1 within its one epoch, so the outbox alone says what the hub must hold.
  expect(new Set(outbox.map((e) => e.epoch)).size).toBe(1);
  expect(outbox.map((e) => e.seq)).toEqual(outbox.map((_, i) => i + 1));
  expect(outbox.every((e) => e.status === 'done')).toBe(true);
  // Same ids under the same slots, in the order the journal wrote them (ledger rows come in application
  // order): nothing missing, nothing extra, nothing applied twice (tx_id is also the ledger's primary key, but
  // a duplicate under a new seq would show here as an extra row), and applied in the device's order.
  expect(ledger.map((r) => [r.epoch, r.seq, r.txId])).toEqual(outbox.map((e) => [e.epoch, e.seq, e.id]));
  expect(new Set(ledger.map((r) => r.txId)).size).toBe(ledger.length);
  expect(ledger.filter((r) => r.status !== 'applied')).toEqual([]);
  expect(ledger.every((r) => r.firstEntry !== null)).toBe(true);
}
