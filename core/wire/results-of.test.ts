/** Reading a tx/result message: a batch (what hubs send) or a lone result (older hubs); anything else is not one. */
import { describe, expect, it } from 'vitest';
import { resultsOf, type TxResult } from './result.ts';

const applied: TxResult = { id: '01HZZZZZZZZZZZZZZZZZZZZZZZ', seq: 4, epoch: 'E1', status: 'applied', recorded: true };
const refused: TxResult = { id: '01HZZZZZZZZZZZZZZZZZZZZZZY', seq: 5, epoch: 'E1', status: 'rejected', code: 'TX_OUT_OF_ORDER', retry: true, expectedSeq: 5, recorded: false };

describe('resultsOf', () => {
  it('reads a batch in order, and a lone result as a batch of one', () => {
    expect(resultsOf({ results: [applied, refused] })).toEqual([applied, refused]);
    expect(resultsOf(applied)).toEqual([applied]);
  });

  it('keeps what it knows and drops fields a newer hub added', () => {
    expect(resultsOf({ results: [{ ...applied, fromTheFuture: 1 }] })).toEqual([applied]);
  });

  it('answers null for what is not a result message: an empty batch, a bad result in a batch, a bad lone result, no object', () => {
    expect(resultsOf({ results: [] })).toBeNull();
    expect(resultsOf({ results: [applied, { ...refused, status: 'maybe' }] })).toBeNull();
    expect(resultsOf({ results: 'all of them' })).toBeNull();
    expect(resultsOf({ ...applied, seq: 'four' })).toBeNull();
    expect(resultsOf(null)).toBeNull();
    expect(resultsOf('applied')).toBeNull();
    expect(resultsOf([applied])).toBeNull();
  });
});
