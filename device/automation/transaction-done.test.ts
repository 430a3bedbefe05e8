import { describe, expect, it } from 'vitest';
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import { transactionDoneEvent } from './transaction-done.ts';

const header = { v: 3, id: '01JD3Q7Z8X9Y0A1B2C3D4E5F6G', deviceId: 'kiosk-1', storeId: 'store-1', seq: 4, epoch: 'E1', createdAt: '2026-03-01T09:00:00.000Z', bundleVersion: 1 };
const purchase = { ...header, kind: 'purchase', cardUid: '04A1B2C3', lines: [{ lineNo: 1, sku: 'TEA', category: 'drinks', qty: 1, unitPriceCents: 900 }], payments: [{ method: 'stored_value', amountCents: 600 }, { method: 'points', points: 300 }, { method: 'cash', amountCents: 100 }] } as unknown as Transaction;
const topUp = { ...header, kind: 'top_up', cardUid: '04A1B2C3', amountCents: 5000, tender: 'cash' } as unknown as Transaction;
const where = { deviceId: 'kiosk-1', storeId: 'store-1', at: '2026-03-01T09:00:01.000Z' };

describe('a kiosk transaction as its flows hear it', () => {
  it('queued: what the member paid in money (points are not cents), whose it was, nothing earned yet', () => {
    expect(transactionDoneEvent({ tx: purchase, result: null, memberId: 'M1', ...where })).toEqual({
      at: where.at, txId: header.id, kind: 'purchase', status: 'queued', code: null, memberId: 'M1', amountCents: 700, pointsEarned: 0, pointsSpent: 0, deviceId: 'kiosk-1', storeId: 'store-1',
    });
  });

  it('a result the hub had given before counts as how it ended then; a refusal moved nothing', () => {
    const refusedBefore: TxResult = { id: header.id, seq: 4, status: 'exists', original: 'rejected', code: 'INSUFFICIENT_STORED_VALUE', recorded: true };
    expect(transactionDoneEvent({ tx: purchase, result: refusedBefore, memberId: null, ...where })).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE', amountCents: 0, memberId: null });
    const appliedBefore: TxResult = { id: header.id, seq: 4, status: 'exists', original: 'applied', recorded: true };
    expect(transactionDoneEvent({ tx: topUp, result: appliedBefore, memberId: null, ...where })).toMatchObject({ status: 'applied', code: null, amountCents: 5000 });
    const refused: TxResult = { id: header.id, seq: 4, status: 'rejected', code: 'CARD_FROZEN', recorded: true };
    expect(transactionDoneEvent({ tx: topUp, result: refused, memberId: 'M1', ...where })).toMatchObject({ status: 'rejected', code: 'CARD_FROZEN', amountCents: 0, memberId: 'M1' });
  });
});
