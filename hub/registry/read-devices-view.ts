/**
 * One reading of the device registry for `GET /api/devices` and `memberkiosk devices` alike: the fleet's kiosks,
 * stores and what the kiosks reported, for a scope as people type it (global, region:R, store:S, kiosk:K, or the
 * wire form) and a version. A scope naming a region, store or kiosk the fleet does not hold is refused
 * (CONFIG_SCOPE_UNKNOWN) rather than answered with an empty list that looks like "no kiosk applied it".
 */
import { parseScopeArgument, scopeLevelOf } from '../../core/config/config-scope.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import { NO_ROLLOUT_CONTEXT, type DeviceStatusStore } from './device-status.ts';
import { buildDevicesView, type DevicesView } from './devices-view.ts';

export interface DevicesQuery {
  /** As typed: global, region:R, store:S, kiosk:K (or region/R …). */
  scope?: string | null;
  version?: number | null;
}

/** `registry`: the hub's recorder (what is pending written first) or the store the CLI reads; absent: nothing reported. */
export type DeviceStatusSource = Pick<DeviceStatusStore, 'list'> & Partial<Pick<DeviceStatusStore, 'rolloutContext'>>;

export async function readDevicesView(fleet: Pick<FleetRegistry, 'listDevices' | 'listStores' | 'listRegions'>, registry: DeviceStatusSource | null, query: DevicesQuery = {}): Promise<DevicesView> {
  const scope = query.scope ? parseScopeArgument(query.scope) : null;
  const version = query.version ?? null;
  if (version !== null && scope === null) throw new CodedError('BAD_REQUEST', 'a version is asked about for a scope: give the scope too (global, region:R, store:S or kiosk:K)');
  if (version !== null && (!Number.isInteger(version) || version < 1)) throw new CodedError('BAD_REQUEST', 'a version is a positive whole number');
  const [devices, stores, regions, reported] = await Promise.all([fleet.listDevices(), fleet.listStores(), fleet.listRegions(), registry ? registry.list() : []]);
  if (scope !== null) {
    const level = scopeLevelOf(scope);
    const target = scope.slice(level.length + 1);
    const known =
      level === 'global' ||
      (level === 'region' && regions.some((r) => r.regionId === target)) ||
      (level === 'store' && stores.some((s) => s.storeId === target)) ||
      (level === 'device' && (devices.some((d) => d.deviceId === target) || reported.some((s) => s.deviceId === target)));
    if (!known) throw new CodedError('CONFIG_SCOPE_UNKNOWN', `no ${level === 'device' ? 'kiosk' : level} ${target} in the fleet`);
  }
  const refused = reported.flatMap((s) => (s.lastRefusal?.version == null ? [] : [{ deviceId: s.deviceId, snapshotVersion: s.lastRefusal.version }]));
  const context = scope !== null && version !== null && registry?.rolloutContext ? await registry.rolloutContext(scope, version, refused) : NO_ROLLOUT_CONTEXT;
  return buildDevicesView({ devices, stores, statuses: reported }, { scope, version }, context);
}
