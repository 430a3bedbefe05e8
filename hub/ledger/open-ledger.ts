/**
 * The one place a ledger back end is chosen. The hub's composition root, the `audit` command, the benchmarks
 * and the tests get their ledger here; a new back end (PostgreSQL) adds its kind and its config here, implements
 * the ports of ledger.ts and passes ledger-store-contract.ts.
 */
import type { Logger } from 'pino';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { Ledger } from './ledger.ts';
import type { LedgerFaults } from './ledger-faults.ts';
import { PostgresLedgerStore } from './postgres/postgres-ledger-store.ts';
import { SqliteLedgerStore } from './sqlite/sqlite-ledger-store.ts';

export interface SqliteLedgerConfig {
  kind: 'sqlite';
  /** File path, or ':memory:' for throwaway stores. */
  path: string;
  logger: Logger;
  /** The bundle used when a transaction names a version this hub does not have (and saved on a fresh ledger). */
  fallbackBundle: RulesBundle;
  /** For the contract suite only. */
  faults?: LedgerFaults;
  /** A store's region in the fleet, for region-scoped rules (the hub keeps it from fleet.sqlite); absent: none. */
  regionOf?: (storeId: string) => string | undefined;
  /**
   * The rules version of a kiosk's signed snapshot (null: the hub signed no such snapshot for it), or of its newest
   * with 'newest' (hub/config/config-store.ts); absent: transactions are recomputed with the version they name.
   */
  snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null;
  /** Batches and HQ's transactions applied on a thread of their own (sqlite/ledger-writer-thread.ts): the hub's setting. */
  writerThread?: boolean;
  /** The smallest batch handed to that thread (smaller ones are applied on the hub's thread: sqlite-ledger-store.ts). */
  writerThreadMinBatch?: number;
  /** Wait in open() until that thread runs (the thread's tests). */
  writerThreadAtOpen?: boolean;
}

/**
 * The ledger on PostgreSQL (postgres/postgres-ledger-store.ts): for several hub workers on one database. Ported a part
 * at a time: what is not ported yet throws NOT_IMPLEMENTED_ON_POSTGRES (docs/ARCHITECTURE.md, "Ledger on PostgreSQL").
 */
export interface PostgresLedgerConfig {
  kind: 'postgres';
  /** postgres://user@host:port/database */
  url: string;
  logger: Logger;
  fallbackBundle: RulesBundle;
  /** For the contract suite only. */
  faults?: LedgerFaults;
  regionOf?: (storeId: string) => string | undefined;
  snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null;
  /** Connections this worker keeps (default 10). */
  poolSize?: number;
}

export type LedgerConfig = SqliteLedgerConfig | PostgresLedgerConfig;

/** The back end the config names, not opened yet (constructors do no I/O: the hub opens it in start()). */
export function createLedger(config: LedgerConfig): Ledger {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteLedgerStore(config);
    case 'postgres':
      return new PostgresLedgerStore(config);
  }
}

/** The back end the config names, opened (and migrated). */
export async function openLedger(config: LedgerConfig): Promise<Ledger> {
  const ledger = createLedger(config);
  await ledger.open();
  return ledger;
}
