/**
 * The exactly-once-in-order check shared by the crash tests: every entry the kiosk's outbox holds is in the
 * hub's ledger exactly once, under the same seq, all applied, in seq order, and the hub holds nothing else
 * from this device.
 */
import { expect } from 'vitest';
import type { LedgerTxRow } from './ledger-file.ts';
import type { OutboxRow } from './outbox-file.ts';

export function expectDeliveredOnceInOrder(outbox: OutboxRow[], ledger: LedgerTxRow[]): void {
  // The device numbers without gaps from 1, so the outbox alone says what the hub must hold.
  expect(outbox.map((e) => e.seq)).toEqual(outbox.map((_, i) => i + 1));
  expect(outbox.every((e) => e.status === 'done')).toBe(true);
  // Same ids under the same seqs: nothing missing, nothing extra, nothing applied twice (tx_id is also the
  // ledger's primary key, but a duplicate under a new seq would show here as an extra row).
  expect(ledger.map((r) => [r.seq, r.txId])).toEqual(outbox.map((e) => [e.seq, e.id]));
  expect(new Set(ledger.map((r) => r.txId)).size).toBe(ledger.length);
  expect(ledger.filter((r) => r.status !== 'applied')).toEqual([]);
  // Applied in the device's order: the journal ids they wrote grow with seq.
  const entries = ledger.map((r) => r.firstEntry);
  expect(entries.every((e) => e !== null)).toBe(true);
  expect(entries).toEqual([...(entries as number[])].sort((a, b) => a - b));
}
