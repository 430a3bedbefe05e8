import type { TxResult } from '../../core/wire/result.ts';
import type { HqTransactionBody, LedgerStore } from '../ledger/ledger-store.ts';

/** How many HQ transactions of a sweep go into one database transaction: one commit each, short enough not to hold up kiosks. */
export const HQ_SWEEP_CHUNK = 200;

/** A sweep's HQ transactions, dated `createdAt`, applied a chunk per database transaction, one after another. */
export async function applyHqInChunks(store: Pick<LedgerStore, 'applyHqBatch'>, bodies: readonly HqTransactionBody[], createdAt: string): Promise<TxResult[]> {
  const results: TxResult[] = [];
  for (let i = 0; i < bodies.length; i += HQ_SWEEP_CHUNK) {
    results.push(...(await store.applyHqBatch(bodies.slice(i, i + HQ_SWEEP_CHUNK), { createdAt })));
  }
  return results;
}
