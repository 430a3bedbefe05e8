/** Where a hub data directory keeps its fleet, for the hub and the CLI alike. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { FleetRegistry } from './fleet-registry.ts';
import { SqliteFleetRegistry } from './sqlite/sqlite-fleet-registry.ts';

export const FLEET_FILE = 'fleet.sqlite';

export async function openFleetRegistry(dataDir: string, logger?: Logger): Promise<FleetRegistry> {
  mkdirSync(dataDir, { recursive: true });
  const registry = new SqliteFleetRegistry(join(dataDir, FLEET_FILE), logger);
  await registry.open();
  return registry;
}
