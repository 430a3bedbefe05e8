/**
 * The ledger contract suite on the PostgreSQL back end: a throwaway cluster for this file (hub/testing/start-postgres.ts)
 * and a fresh database per store, opened the way the hub opens it.
 */
import pino from 'pino';
import { afterAll } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import { describeGiftStockContract } from '../gift-stock-contract.ts';
import { describeLedgerStoreContract } from '../ledger-store-contract.ts';
import { openLedger } from '../open-ledger.ts';

afterAll(stopPostgres);

// Every section, as on SQLite.
describeLedgerStoreContract(
  'postgres',
  // A database outlives its connections: every store is durable.
  async ({ durable: _durable, ...options }) =>
    openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase(), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4, ...options }),
);

describeGiftStockContract('postgres', async () =>
  openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase('gifts'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 }),
);
