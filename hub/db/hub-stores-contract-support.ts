/**
 * What the fleet's contract suites (fleet-registry-contract.ts, device-status-store-contract.ts,
 * config-store-contract.ts) are given: a fresh, empty place for a hub's three stores, opened, and a second
 * opening of the same place — another hub process or the CLI beside it (a second connection to fleet.sqlite, a
 * second pool on the PostgreSQL database). The suites close both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubDb } from './hub-db.ts';
import { openHubStores, type HubStores } from './open-hub-stores.ts';

export type OpenStores = HubStores & { close(): Promise<void> };

export interface StoresUnderTest {
  stores: OpenStores;
  /** The same stores opened again, as a second process would. */
  another(): Promise<OpenStores>;
  /** Closes everything opened and removes what was made. */
  dispose(): Promise<void>;
}

export type MakeStores = () => Promise<StoresUnderTest>;

/** Stores at `db` with their data directory in a new temp folder (fleet.sqlite on SQLite; unused on PostgreSQL). */
export async function storesUnderTest(db: HubDb): Promise<StoresUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-hub-stores-'));
  const opened: OpenStores[] = [];
  const open = async () => {
    const stores = await openHubStores(db, dir);
    opened.push(stores);
    return stores;
  };
  const stores = await open();
  return {
    stores,
    another: open,
    async dispose() {
      for (const s of opened.splice(0)) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
