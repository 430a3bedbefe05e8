/** The ledger contract suite on the SQLite back end, in memory, opened the way the hub opens it. */
import pino from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { describeLedgerStoreContract } from '../ledger-store-contract.ts';
import { describeGiftStockContract } from '../gift-stock-contract.ts';
import { openLedger } from '../open-ledger.ts';

describeLedgerStoreContract('sqlite', (options) =>
  openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, ...options }),
);

describeGiftStockContract('sqlite', () => openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE }));
