/**
 * The one place the fleet's three stores are chosen — the fleet registry, the device registry and the signed
 * configuration: on the hub's PostgreSQL database when its ledger is there (db.kind 'postgres', one pool shared by the
 * three, hub/fleet/postgres/postgres-fleet-pool.ts), else in DATA/fleet.sqlite. The hub's composition root and
 * the CLI commands beside a running hub get them here, so both always look at the same fleet.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ConfigStore } from '../config/config-store.ts';
import { PostgresConfigStore } from '../config/postgres-config-store.ts';
import { SqliteConfigStore } from '../config/sqlite-config-store.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import { FLEET_FILE } from '../fleet/open-fleet-registry.ts';
import { PostgresFleetPool } from '../fleet/postgres/postgres-fleet-pool.ts';
import { PostgresFleetRegistry } from '../fleet/postgres/postgres-fleet-registry.ts';
import { SqliteFleetRegistry } from '../fleet/sqlite/sqlite-fleet-registry.ts';
import type { DeviceStatusStore } from '../registry/device-status.ts';
import { PostgresDeviceStatusStore } from '../registry/postgres-device-status-store.ts';
import { SqliteDeviceStatusStore } from '../registry/sqlite-device-status-store.ts';
import { describeHubDb, type HubDb } from './hub-db.ts';

export interface HubStores {
  fleet: FleetRegistry;
  deviceStatus: DeviceStatusStore;
  config: ConfigStore;
  /** Where they are, for logs and the CLI: fleet.sqlite's path, or the database URL without its password. */
  where: string;
}

export interface HubStoresOptions {
  logger?: Logger;
  /**
   * The CLI's use beside a running hub: the device registry read only (SQLite: a read-only connection, the hub
   * migrated the file) and no listening connection for snapshots (PostgreSQL: the CLI never asks for them).
   */
  cli?: boolean;
}

/** The three stores of a hub, not opened yet (constructors do no I/O: the hub opens them in start()). */
export function createHubStores(db: HubDb, dataDir: string, options: HubStoresOptions = {}): HubStores {
  const { logger, cli = false } = options;
  if (db.kind === 'postgres') {
    const pool = new PostgresFleetPool({ url: db.url, logger: logger ?? null });
    return {
      fleet: new PostgresFleetRegistry(pool, logger),
      deviceStatus: new PostgresDeviceStatusStore(pool, logger),
      config: new PostgresConfigStore(pool, { ...(logger ? { logger } : {}), followSnapshots: !cli }),
      where: describeHubDb(db),
    };
  }
  const path = join(dataDir, FLEET_FILE);
  return {
    fleet: new SqliteFleetRegistry(path, logger),
    deviceStatus: new SqliteDeviceStatusStore(path, logger, { readonly: cli }),
    config: new SqliteConfigStore(path),
    where: path,
  };
}

/** The three stores, open (the fleet registry first: on SQLite it migrates the file the others read). */
export async function openHubStores(db: HubDb, dataDir: string, options: HubStoresOptions = {}): Promise<HubStores & { close(): Promise<void> }> {
  if (db.kind === 'sqlite') mkdirSync(dataDir, { recursive: true });
  const stores = createHubStores(db, dataDir, options);
  const opened: { close(): Promise<void> }[] = [];
  const close = async () => {
    for (const store of opened.splice(0).reverse()) await store.close();
  };
  try {
    for (const store of [stores.fleet, stores.deviceStatus, stores.config]) {
      await store.open();
      opened.push(store);
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { ...stores, close };
}
