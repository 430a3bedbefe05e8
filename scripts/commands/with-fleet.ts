/** Opens the fleet registry of a hub data directory for one CLI command and closes it, whatever happens. */
import type { FleetRegistry } from '../../hub/fleet/fleet-registry.ts';

export async function withFleet<T>(dataDir: string, work: (registry: FleetRegistry) => Promise<T>): Promise<T> {
  // Loaded only now, so --help and bad flags are answered without loading SQLite.
  const { openFleetRegistry } = await import('../../hub/fleet/open-fleet-registry.ts');
  const registry = await openFleetRegistry(dataDir);
  try {
    return await work(registry);
  } finally {
    await registry.close();
  }
}
