/**
 * What the ledger's writer thread (ledger-writer-thread.ts) needs to know of the fleet to apply one batch: the region
 * of each store its transactions name, and the rules version of each kiosk's signed snapshots. The hub keeps both on
 * its own thread (fleet.sqlite, the config store) and answers the write port's questions synchronously, which a
 * thread cannot ask across; so the hub answers, before it hands the batch over, every question the write port can
 * ask of it (sqlite-planning-reads.ts: regionOfStore takes the transaction's storeId; rulesFor the kiosk's snapshot and
 * its newest), and the thread reads the answers. A question not answered here is a defect, not a "no": it throws, and
 * the transaction is recorded INTERNAL instead of being planned with a wrong region or rules.
 */
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { HqTransactionBody, ReceivedTransaction } from '../ledger-store.ts';

export interface FleetLookups {
  regionOf?: (storeId: string) => string | undefined;
  snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null;
}

/** Plain data (it crosses to the thread by structured clone). */
export interface BatchFleetFacts {
  /** storeId → region; null where the fleet names none. */
  regions: Record<string, string | null>;
  /** `deviceId\nversion` (or `deviceId\nnewest`) → the snapshot's rules version; absent when the hub has no snapshot rules at all. */
  snapshots: Record<string, number | null> | null;
}

const snapshotKey = (deviceId: string, version: number | 'newest'): string => `${deviceId}\n${version}`;

interface Asked {
  deviceId: string;
  storeId?: string | undefined;
  /** A kiosk transaction's snapshot and rules versions; absent for HQ's (its rules version is given on the thread). */
  versions?: { snapshotVersion: number | undefined; bundleVersion: number };
}

function collect(asked: readonly Asked[], lookups: FleetLookups): BatchFleetFacts {
  const regions: Record<string, string | null> = {};
  const snapshots: Record<string, number | null> | null = lookups.snapshotRules ? {} : null;
  for (const { deviceId, storeId, versions } of asked) {
    if (storeId !== undefined && !(storeId in regions)) regions[storeId] = lookups.regionOf?.(storeId) ?? null;
    const snapshotRules = lookups.snapshotRules;
    if (!snapshots || !snapshotRules || !versions) continue;
    const answer = (version: number | 'newest'): number | null => {
      const key = snapshotKey(deviceId, version);
      if (!(key in snapshots)) snapshots[key] = snapshotRules(deviceId, version);
      return snapshots[key] ?? null;
    };
    // Only what rulesFor asks (rulesForTransaction, ../planning-lookups.ts): asking more would read the config store for nothing.
    const { snapshotVersion, bundleVersion } = versions;
    if (snapshotVersion === undefined) {
      if (bundleVersion === 0) answer('newest');
    } else if (answer(snapshotVersion) !== bundleVersion) {
      answer('newest');
    }
  }
  return { regions, snapshots };
}

/** The answers a batch of kiosk transactions can need (items the parser refused are never planned). */
export function factsForBatch(batch: readonly ReceivedTransaction[], lookups: FleetLookups): BatchFleetFacts {
  const asked: Asked[] = [];
  for (const item of batch) {
    if (!item.parsed.ok) continue;
    const tx = item.parsed.tx as { deviceId: string; storeId?: string; snapshotVersion?: number; bundleVersion: number };
    asked.push({ deviceId: tx.deviceId, storeId: tx.storeId, versions: { snapshotVersion: tx.snapshotVersion, bundleVersion: tx.bundleVersion } });
  }
  return collect(asked, lookups);
}

/**
 * The answers HQ's transactions can need: their stores' regions. HQ names no snapshot, and its rules version is the
 * hub's newest (never 0: a store saves its fallback rules when it opens), so rulesFor asks nothing of the fleet.
 */
export function factsForHq(bodies: readonly HqTransactionBody[], lookups: FleetLookups): BatchFleetFacts {
  return collect(
    bodies.map((body) => ({ deviceId: HQ_DEVICE_ID, storeId: (body as { storeId?: string }).storeId })),
    lookups,
  );
}

/** The write port's lookups, answered from the facts the hub sent with the batch under way. */
export function lookupsFromFacts(current: () => BatchFleetFacts): Required<FleetLookups> {
  return {
    regionOf(storeId) {
      const { regions } = current();
      if (!(storeId in regions)) throw new Error(`the hub sent no region for store '${storeId}' with this batch`);
      return regions[storeId] ?? undefined;
    },
    snapshotRules(deviceId, version) {
      const { snapshots } = current();
      const key = snapshotKey(deviceId, version);
      if (!snapshots || !(key in snapshots)) throw new Error(`the hub sent no snapshot rules for ${deviceId} (${version}) with this batch`);
      return snapshots[key] ?? null;
    },
  };
}
