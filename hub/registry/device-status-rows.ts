/**
 * A device registry record as both back ends store it (one row of `device_status`: JSON columns as text, online as
 * 0/1) and how one change is merged into it: the SQLite and PostgreSQL stores differ in their SQL only.
 */
import type { ReportedAlert, ReportedRefusal } from './device-state-report.ts';
import type { DeviceStatus, DeviceStatusChange } from './device-status.ts';

export interface StatusRow {
  device_id: string;
  online: 0 | 1 | null;
  online_changed_at: string | null;
  last_seen: string | null;
  software: string | null;
  snapshot_version: number | null;
  rules_version: number | null;
  scope_versions: string;
  config_expires: string | null;
  drivers: string | null;
  outbox_depth: number | null;
  clock_offset_ms: number | null;
  last_alert: string | null;
  last_refusal: string | null;
  state_at: string | null;
  updated_at: string;
}

/** A JSON column written by this file; anything else (a hand edit) reads as null rather than failing a listing. */
function json<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export const toStatus = (r: StatusRow): DeviceStatus => ({
  deviceId: r.device_id,
  online: r.online === null ? null : r.online === 1,
  onlineChangedAt: r.online_changed_at,
  lastSeen: r.last_seen,
  software: r.software,
  snapshotVersion: r.snapshot_version,
  rulesVersion: r.rules_version,
  scopeVersions: json<Record<string, number>>(r.scope_versions) ?? {},
  configExpires: r.config_expires,
  drivers: json<Record<string, unknown>>(r.drivers),
  outboxDepth: r.outbox_depth,
  clockOffsetMs: r.clock_offset_ms,
  lastAlert: json<ReportedAlert>(r.last_alert),
  lastRefusal: json<ReportedRefusal>(r.last_refusal),
  stateAt: r.state_at,
  updatedAt: r.updated_at,
});

export const toRow = (s: DeviceStatus): StatusRow => ({
  device_id: s.deviceId,
  online: s.online === null ? null : s.online ? 1 : 0,
  online_changed_at: s.onlineChangedAt,
  last_seen: s.lastSeen,
  software: s.software,
  snapshot_version: s.snapshotVersion,
  rules_version: s.rulesVersion,
  scope_versions: JSON.stringify(s.scopeVersions),
  config_expires: s.configExpires,
  drivers: s.drivers === null ? null : JSON.stringify(s.drivers),
  outbox_depth: s.outboxDepth,
  clock_offset_ms: s.clockOffsetMs,
  last_alert: s.lastAlert === null ? null : JSON.stringify(s.lastAlert),
  last_refusal: s.lastRefusal === null ? null : JSON.stringify(s.lastRefusal),
  state_at: s.stateAt,
  updated_at: s.updatedAt,
});

const empty = (deviceId: string, now: string): DeviceStatus => ({
  deviceId,
  online: null,
  onlineChangedAt: null,
  lastSeen: null,
  software: null,
  snapshotVersion: null,
  rulesVersion: null,
  scopeVersions: {},
  configExpires: null,
  drivers: null,
  outboxDepth: null,
  clockOffsetMs: null,
  lastAlert: null,
  lastRefusal: null,
  stateAt: null,
  updatedAt: now,
});

/** The scope versions a signed snapshot (core/config/config-documents.ts) names, or null when it does not read. */
export function scopesOfSnapshot(signedJson: string): Record<string, number> | null {
  const doc = json<{ signed?: { scopes?: unknown } }>(signedJson);
  const scopes = doc?.signed?.scopes;
  if (!Array.isArray(scopes)) return null;
  const out: Record<string, number> = {};
  for (const entry of scopes as unknown[]) {
    const { scope, version } = (entry ?? {}) as { scope?: unknown; version?: unknown };
    if (typeof scope === 'string' && typeof version === 'number') out[scope] = version;
  }
  return out;
}

const later = (a: string | null, b: string | null | undefined): string | null => (b && (!a || b > a) ? b : a);

/** One change applied to one record (pure). */
export function applyChange(current: DeviceStatus | null, change: DeviceStatusChange, now: string): DeviceStatus {
  const next: DeviceStatus = { ...(current ?? empty(change.deviceId, now)), updatedAt: now };
  if (change.state) {
    const { at, ...reported } = change.state;
    Object.assign(next, reported);
    next.stateAt = at;
  }
  if (change.availability) {
    const { online, at, live } = change.availability;
    if (next.online !== online) next.onlineChangedAt = live ? at : next.onlineChangedAt;
    next.online = online;
  }
  next.lastSeen = later(next.lastSeen, change.seenAt);
  return next;
}
