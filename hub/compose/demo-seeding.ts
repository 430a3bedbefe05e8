/**
 * What `memberkiosk demo` (seedDemoData and its two companions in the hub's config) puts into a fresh hub: demo
 * members, cards, staff and gifts, the demo region and store, the flows' demo, the demo HQ's keys, and the demo
 * store's shop and receipt texts. Nothing unless asked. Apart from hub/main.ts so the composition root reads as steps.
 */
import type { Logger } from 'pino';
import type { ConfigStore } from '../config/config-store.ts';
import type { PublishRequest } from '../config/publish-config.ts';
import { ensureDemoConfigKeys } from '../demo/demo-config-keys.ts';
import { seedDemoConfig } from '../demo/seed-demo-config.ts';
import { seedDemoAutomation, seedDemoData } from '../demo/seed-demo-data.ts';
import { seedDemoFleet } from '../demo/seed-demo-fleet.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { ResolvedHubConfig } from './hub-config.ts';

/**
 * The demo's ledger and fleet, once both are open and before anything can enrol; returns the flows' demo (the
 * account they act as) when it was asked for.
 */
export async function seedDemoLedgerAndFleet(config: ResolvedHubConfig, deps: { store: Ledger; fleet: FleetRegistry; logger: Logger }): Promise<Awaited<ReturnType<typeof seedDemoAutomation>> | null> {
  const { store, fleet, logger: log } = deps;
  if (config.seedDemoData && (await seedDemoData(store, log))) log.info('demo members, cards, staff and gifts created');
  if (config.seedDemoData && (await seedDemoFleet(fleet))) log.info('demo region and store added to the fleet');
  // The demo's birthday member and the account its flows act as (hub/demo/seed-demo-data.ts).
  const demoAutomation = config.seedDemoData && config.seedDemoAutomation ? await seedDemoAutomation(store, { logger: log }) : null;
  // Before anything can enrol: kiosks pin the HQ root at enrolment, and the demo's root is made here.
  if (config.seedDemoData) ensureDemoConfigKeys(config.dataDir, log);
  return demoAutomation;
}

/** The demo store's configuration, published once the configuration sync runs, if the store has none yet. */
export async function publishDemoConfig(config: ResolvedHubConfig, deps: { configStore: ConfigStore; publish: (request: PublishRequest) => Promise<unknown>; logger: Logger }): Promise<void> {
  if (!(config.seedDemoData && config.seedDemoConfig)) return;
  const seeded = await seedDemoConfig({ latestBundle: (scope) => deps.configStore.latestBundle(scope), publish: deps.publish });
  if (seeded) deps.logger.info('demo store configuration published (the shop, receipt texts)');
}
