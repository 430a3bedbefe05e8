/** The fleet registry contract on PostgreSQL: a throwaway cluster for this file, a fresh database per case. */
import { afterAll } from 'vitest';
import { freshMigratedPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import { describeFleetRegistryContract } from '../fleet-registry-contract.ts';
import { storesUnderTest } from '../../db/hub-stores-contract-support.ts';

afterAll(stopPostgres);

describeFleetRegistryContract('postgres', async () => storesUnderTest({ kind: 'postgres', url: await freshMigratedPostgresDatabase('fleet') }));
