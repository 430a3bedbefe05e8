/** The fleet registry contract on DATA/fleet.sqlite (a temp folder per case; a second connection to the same file). */
import { describeFleetRegistryContract } from '../fleet-registry-contract.ts';
import { storesUnderTest } from '../../db/hub-stores-contract-support.ts';

describeFleetRegistryContract('sqlite', () => storesUnderTest({ kind: 'sqlite' }));
