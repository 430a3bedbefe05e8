/**
 * The ledger contract suite on the SQLite back end as the hub opens it: on a file, with every batch and every HQ
 * transaction applied on the writer thread (ledger-writer-thread.ts; the smallest batch handed over is 1 here, so none
 * stays on the calling thread). The cases that inject faults run on the calling thread: fault predicates are functions,
 * which cannot cross to a thread (sqlite-ledger-store.ts, `writerThread`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { describeLedgerStoreContract } from '../ledger-store-contract.ts';
import { describeGiftStockContract } from '../gift-stock-contract.ts';
import { openLedger } from '../open-ledger.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function ledgerFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mk-ledger-thread-contract-'));
  dirs.push(dir);
  return join(dir, 'ledger.sqlite');
}

const onThread = { kind: 'sqlite', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, writerThread: true, writerThreadMinBatch: 1, writerThreadAtOpen: true } as const;

describeLedgerStoreContract('sqlite (writer thread)', ({ durable: _durable, ...options }) => openLedger({ ...onThread, path: ledgerFile(), ...options }));

describeGiftStockContract('sqlite (writer thread)', () => openLedger({ ...onThread, path: ledgerFile() }));
