/** The device registry store contract on PostgreSQL: a throwaway cluster for this file, a fresh database per case. */
import { afterAll } from 'vitest';
import { storesUnderTest } from '../db/hub-stores-contract-support.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { describeDeviceStatusStoreContract } from './device-status-store-contract.ts';

afterAll(stopPostgres);

describeDeviceStatusStoreContract('postgres', async () => storesUnderTest({ kind: 'postgres', url: await freshMigratedPostgresDatabase('registry') }));
