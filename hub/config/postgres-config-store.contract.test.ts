/** The configuration store contract on PostgreSQL: a throwaway cluster for this file, a fresh database per case. */
import { afterAll } from 'vitest';
import { storesUnderTest } from '../db/hub-stores-contract-support.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { describeConfigStoreContract } from './config-store-contract.ts';

afterAll(stopPostgres);

describeConfigStoreContract('postgres', async () => storesUnderTest({ kind: 'postgres', url: await freshMigratedPostgresDatabase('config') }));
