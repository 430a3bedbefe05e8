/**
 * Opens the fleet's stores of a hub for one CLI command and closes them, whatever happens: in the hub's data
 * directory (DATA/fleet.sqlite), or on its PostgreSQL database when the command is given the hub's --db
 * (hub/db/open-hub-stores.ts chooses, as for the hub itself).
 */
import type { HubDb } from '../../hub/db/hub-db.ts';
import type { HubStores } from '../../hub/db/open-hub-stores.ts';
import type { FleetRegistry } from '../../hub/fleet/fleet-registry.ts';

/** Where a hub keeps its fleet: its data directory, and its database when that is PostgreSQL. */
export interface HubTarget {
  dataDir: string;
  db: HubDb;
}

/** The --db option as the hub takes it (hub/db/hub-db.ts), or why it is not one. */
export async function hubTarget(dataDir: string, db: string | undefined): Promise<HubTarget | string> {
  if (db === undefined) return { dataDir, db: { kind: 'sqlite' } };
  const { hubDbSchema } = await import('../../hub/db/hub-db.ts');
  const parsed = hubDbSchema.safeParse({ kind: 'postgres', url: db });
  return parsed.success ? { dataDir, db: parsed.data } : `--db must be a postgres://USER@HOST:PORT/DATABASE URL`;
}

const asTarget = (target: HubTarget | string): HubTarget => (typeof target === 'string' ? { dataDir: target, db: { kind: 'sqlite' } } : target);

export async function withFleet<T>(target: HubTarget | string, work: (registry: FleetRegistry) => Promise<T>): Promise<T> {
  // Loaded only now, so --help and bad flags are answered without loading SQLite or pg (and SQLite's fleet without pg).
  const { dataDir, db } = asTarget(target);
  const registry =
    db.kind === 'sqlite'
      ? await (await import('../../hub/fleet/open-fleet-registry.ts')).openFleetRegistry(dataDir)
      : (await import('../../hub/db/open-hub-stores.ts')).createHubStores(db, dataDir, { cli: true }).fleet;
  await registry.open();
  try {
    return await work(registry);
  } finally {
    await registry.close();
  }
}

/** All three stores (the fleet registry opened first: on SQLite it migrates the file). */
export async function withHubStores<T>(target: HubTarget | string, work: (stores: HubStores) => Promise<T>): Promise<T> {
  const { openHubStores } = await import('../../hub/db/open-hub-stores.ts');
  const { dataDir, db } = asTarget(target);
  const stores = await openHubStores(db, dataDir, { cli: true });
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}
