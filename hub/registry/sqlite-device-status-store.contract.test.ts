/** The device registry store contract on DATA/fleet.sqlite (a temp folder per case; a second connection to the same file). */
import { storesUnderTest } from '../db/hub-stores-contract-support.ts';
import { describeDeviceStatusStoreContract } from './device-status-store-contract.ts';

describeDeviceStatusStoreContract('sqlite', () => storesUnderTest({ kind: 'sqlite' }));
