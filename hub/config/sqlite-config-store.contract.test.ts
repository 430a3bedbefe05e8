/** The configuration store contract on DATA/fleet.sqlite (a temp folder per case; a second connection to the same file). */
import { storesUnderTest } from '../db/hub-stores-contract-support.ts';
import { describeConfigStoreContract } from './config-store-contract.ts';

describeConfigStoreContract('sqlite', () => storesUnderTest({ kind: 'sqlite' }));
