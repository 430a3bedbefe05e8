/** The ledger contract suite on the SQLite back end, in memory (on a temporary file where a case reopens it), opened the way the hub opens it. */
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
/** A fresh file for a case that closes and reopens its store. */
function durablePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mk-ledger-contract-'));
  dirs.push(dir);
  return join(dir, 'ledger.sqlite');
}

describeLedgerStoreContract('sqlite', ({ durable, ...options }) =>
  openLedger({ kind: 'sqlite', path: durable ? durablePath() : ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, ...options }),
);

describeGiftStockContract('sqlite', () => openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE }));
