/**
 * The device registry as people read it — `memberkiosk devices` and `GET /api/devices` show the same thing: each
 * kiosk of the fleet (and any device that reported without being in it, e.g. one on an external broker's own
 * password file) with what it last reported, optionally only those of one scope; and for a scope and a version,
 * the rollout: which kiosks applied it (their version of that scope ≥ it), which refused it and why, and which
 * have not reported either.
 */
import { scopeLevelOf, type ConfigScope } from '../../core/config/config-scope.ts';
import type { EnrolledDevice, KioskMode, Store } from '../fleet/fleet-registry.ts';
import type { ReportedRefusal } from './device-state-report.ts';
import { NO_ROLLOUT_CONTEXT, type DeviceStatus, type RolloutContext } from './device-status.ts';

export interface DeviceView {
  deviceId: string;
  /** Null for a device the fleet does not hold. */
  storeId: string | null;
  regionId: string | null;
  mode: KioskMode | null;
  enrolledAt: string | null;
  revokedAt: string | null;
  /** Null until its availability is heard. */
  online: boolean | null;
  lastSeen: string | null;
  software: string | null;
  snapshotVersion: number | null;
  rulesVersion: number | null;
  scopeVersions: Record<string, number>;
  configExpires: string | null;
  drivers: Record<string, unknown> | null;
  outboxDepth: number | null;
  clockOffsetMs: number | null;
  lastAlert: DeviceStatus['lastAlert'];
  lastRefusal: ReportedRefusal | null;
  stateAt: string | null;
  /** Whether the hub ever heard from it. */
  reported: boolean;
}

export interface Rollout {
  scope: ConfigScope;
  version: number;
  /** Kiosks of the scope (revoked ones left out) whose version of the scope is ≥ the one asked about. */
  applied: { deviceId: string; version: number }[];
  /** Kiosks that have not applied it and whose last refusal was of it (see refusedIt). */
  refused: { deviceId: string; code: string; detail: string | null; at: string | null }[];
  /** The rest: still on an older version (`version`) or never reported (`version: null`, `reported: false`). */
  notReported: { deviceId: string; version: number | null; reported: boolean }[];
}

export interface DevicesView {
  scope: ConfigScope | null;
  devices: DeviceView[];
  rollout: Rollout | null;
}

export interface DevicesViewInput {
  devices: readonly EnrolledDevice[];
  /** Stores as the fleet lists them; their profiles (address, phone, time zone) play no part here. */
  stores: readonly Pick<Store, 'storeId' | 'name' | 'regionId'>[];
  statuses: readonly DeviceStatus[];
}

function inScope(scope: ConfigScope | null, device: DeviceView): boolean {
  if (scope === null) return true;
  const level = scopeLevelOf(scope);
  const target = scope.slice(level.length + 1);
  if (level === 'global') return true;
  if (level === 'region') return device.regionId === target;
  if (level === 'store') return device.storeId === target;
  return device.deviceId === target;
}

/**
 * Whether a kiosk's last refusal was of this version of the scope (or a newer one), most certain first: the
 * refusal names the scope itself; the snapshot it refused (its `version`) is one the hub signed and carries the
 * scope at that version; it came after that version was published; or, on a hub that keeps no signed
 * configuration, the refused version is the number asked about.
 */
function refusedIt(deviceId: string, refusal: ReportedRefusal, scope: ConfigScope, version: number, context: RolloutContext): boolean {
  if (refusal.scope !== null) return refusal.scope === scope && refusal.version !== null && refusal.version >= version;
  const carried = refusal.version === null ? undefined : context.snapshotScopes.get(`${deviceId}/${refusal.version}`);
  if (carried) return (carried[scope] ?? 0) >= version;
  const published = context.publishedAt === null ? NaN : Date.parse(context.publishedAt);
  const at = refusal.at === null ? NaN : Date.parse(refusal.at);
  if (Number.isFinite(published) && Number.isFinite(at)) return at >= published;
  return !context.configKnown && refusal.version === version;
}

export function buildDevicesView(input: DevicesViewInput, query: { scope?: ConfigScope | null; version?: number | null } = {}, context: RolloutContext = NO_ROLLOUT_CONTEXT): DevicesView {
  const scope = query.scope ?? null;
  const regionOf = new Map(input.stores.map((s) => [s.storeId, s.regionId]));
  const statusOf = new Map(input.statuses.map((s) => [s.deviceId, s]));
  const enrolled = new Map(input.devices.map((d) => [d.deviceId, d]));
  const ids = [...new Set([...enrolled.keys(), ...statusOf.keys()])].sort();
  const all = ids.map((deviceId): DeviceView => {
    const d = enrolled.get(deviceId);
    const s = statusOf.get(deviceId);
    return {
      deviceId,
      storeId: d?.storeId ?? null,
      regionId: d ? (regionOf.get(d.storeId) ?? null) : null,
      mode: d?.mode ?? null,
      enrolledAt: d?.enrolledAt ?? null,
      revokedAt: d?.revokedAt ?? null,
      online: s?.online ?? null,
      lastSeen: s?.lastSeen ?? null,
      software: s?.software ?? null,
      snapshotVersion: s?.snapshotVersion ?? null,
      rulesVersion: s?.rulesVersion ?? null,
      scopeVersions: s?.scopeVersions ?? {},
      configExpires: s?.configExpires ?? null,
      drivers: s?.drivers ?? null,
      outboxDepth: s?.outboxDepth ?? null,
      clockOffsetMs: s?.clockOffsetMs ?? null,
      lastAlert: s?.lastAlert ?? null,
      lastRefusal: s?.lastRefusal ?? null,
      stateAt: s?.stateAt ?? null,
      reported: s !== undefined,
    };
  });
  const devices = all.filter((d) => inScope(scope, d));
  const version = query.version ?? null;
  if (scope === null || version === null) return { scope, devices, rollout: null };
  const rollout: Rollout = { scope, version, applied: [], refused: [], notReported: [] };
  for (const device of devices) {
    if (device.revokedAt !== null) continue;
    const current = device.scopeVersions[scope];
    if (current !== undefined && current >= version) rollout.applied.push({ deviceId: device.deviceId, version: current });
    else if (device.lastRefusal && refusedIt(device.deviceId, device.lastRefusal, scope, version, context)) {
      rollout.refused.push({ deviceId: device.deviceId, code: device.lastRefusal.code, detail: device.lastRefusal.detail, at: device.lastRefusal.at });
    } else rollout.notReported.push({ deviceId: device.deviceId, version: current ?? null, reported: device.reported });
  }
  return { scope, devices, rollout };
}
