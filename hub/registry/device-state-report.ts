/**
 * What the hub reads out of a kiosk's retained state report (device/link/presence.ts plus the extras of
 * device/main.ts) and availability message. Read defensively: every field is optional, unknown fields are
 * ignored, a field of the wrong shape is dropped on its own (a newer kiosk may report more or differently), and
 * only a payload that is not a JSON object, is over MAX_STATE_REPORT_BYTES or names another device than its
 * topic is refused as a whole. Nothing here throws.
 */
import { z } from 'zod';
import { CONFIG_SCOPE_PATTERN } from '../../core/config/config-scope.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';
import { MAX_STATE_REPORT_BYTES } from '../../core/wire/limits.ts';

/** Longest free text kept from a report (a refusal's detail, an alert's code): the rest is cut, not refused. */
const MAX_TEXT = 500;
/** A kiosk applies four scopes; a few more are tolerated, never an unbounded map. */
const MAX_SCOPES = 8;

export interface ReportedRefusal {
  code: string;
  detail: string | null;
  /** The version the kiosk refused, when it could read one. */
  version: number | null;
  /** The scope of the refused version, when the kiosk names it (wire form: store/S). */
  scope: string | null;
  at: string | null;
}

export interface ReportedAlert {
  code: string;
  at: string | null;
  detail: Record<string, unknown> | null;
}

/** One state report as the registry keeps it: null where the kiosk did not say (or said something unreadable). */
export interface ReportedState {
  software: string | null;
  snapshotVersion: number | null;
  rulesVersion: number | null;
  /** Wire scope (global, region/R, store/S, device/D) → the version the kiosk applied. */
  scopeVersions: Record<string, number>;
  configExpires: string | null;
  drivers: Record<string, unknown> | null;
  outboxDepth: number | null;
  clockOffsetMs: number | null;
  lastAlert: ReportedAlert | null;
  lastRefusal: ReportedRefusal | null;
  /** The kiosk's own time of the report (its clock). */
  at: string | null;
}

export type StateParse =
  | { ok: true; state: ReportedState; /** fields present but unreadable, dropped */ dropped: string[] }
  | { ok: false; code: Extract<ErrorCode, 'DEVICE_STATE_MALFORMED' | 'DEVICE_STATE_TOO_LARGE' | 'DEVICE_STATE_MISMATCH'>; reason: string };

const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);
const time = z.string().max(64);
const version = z.number().int().nonnegative();

/** Scope keys as the kiosk may write them (store/S or store:S, kiosk:K) → wire form; others dropped. */
function wireScope(key: string): string | null {
  const wire = key.replace(/^kiosk[:/]/, 'device/').replace(/^(region|store|device):/, '$1/');
  return CONFIG_SCOPE_PATTERN.test(wire) ? wire : null;
}

const refusalSchema = z.object({
  code: z.string().min(1).max(64),
  // A person's sentence or a structured detail: kept as text either way.
  detail: z.unknown().optional(),
  version: version.optional().catch(undefined),
  scope: z.string().max(80).optional().catch(undefined),
  at: time.optional().catch(undefined),
});

const alertSchema = z.object({
  code: z.string().min(1).max(64),
  at: time.optional().catch(undefined),
  detail: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

function detailText(detail: unknown): string | null {
  if (detail === undefined || detail === null) return null;
  if (typeof detail === 'string') return cut(detail);
  try {
    return cut(JSON.stringify(detail));
  } catch {
    return null;
  }
}

function toRefusal(value: z.infer<typeof refusalSchema>): ReportedRefusal {
  const scope = value.scope === undefined ? null : wireScope(value.scope);
  return { code: value.code, detail: detailText(value.detail), version: value.version ?? null, scope, at: value.at ?? null };
}

function toAlert(value: z.infer<typeof alertSchema>): ReportedAlert {
  return { code: value.code, at: value.at ?? null, detail: value.detail ?? null };
}

/**
 * Reads one field with its schema: absent → null; present and readable → its value; present and unreadable →
 * null, with its name added to `dropped`.
 */
function field<T>(source: Record<string, unknown>, key: string, schema: z.ZodType<T>, dropped: string[], prefix = ''): T | null {
  const value = source[key];
  if (value === undefined || value === null) return null;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  dropped.push(`${prefix}${key}`);
  return null;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The kiosk's state report on `devices/{topicDeviceId}/state`. */
export function parseStateReport(topicDeviceId: string, payload: Buffer): StateParse {
  if (payload.length > MAX_STATE_REPORT_BYTES) return { ok: false, code: 'DEVICE_STATE_TOO_LARGE', reason: `${payload.length} bytes, over ${MAX_STATE_REPORT_BYTES}` };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, code: 'DEVICE_STATE_MALFORMED', reason: 'not JSON' };
  }
  if (!isRecord(body)) return { ok: false, code: 'DEVICE_STATE_MALFORMED', reason: 'not a JSON object' };
  if (body.deviceId !== undefined && body.deviceId !== topicDeviceId) {
    return { ok: false, code: 'DEVICE_STATE_MISMATCH', reason: `names ${typeof body.deviceId === 'string' ? body.deviceId.slice(0, 64) : typeof body.deviceId}` };
  }
  const dropped: string[] = [];
  const config = isRecord(body.config) ? body.config : {};
  if (body.config !== undefined && body.config !== null && !isRecord(body.config)) dropped.push('config');
  const versions = isRecord(body.versions) ? body.versions : {};

  const scopeVersions: Record<string, number> = {};
  const rawScopes = field(config, 'scopeVersions', z.record(z.string(), z.unknown()), dropped, 'config.');
  if (rawScopes) {
    for (const [key, value] of Object.entries(rawScopes)) {
      const scope = wireScope(key);
      const parsed = version.safeParse(value);
      if (!scope || !parsed.success || Object.keys(scopeVersions).length >= MAX_SCOPES) {
        dropped.push(`config.scopeVersions.${key.slice(0, 80)}`);
        continue;
      }
      scopeVersions[scope] = parsed.data;
    }
  }
  const refusal = field(config, 'lastRefusal', refusalSchema, dropped, 'config.');
  // Today's kiosks report their recent alerts newest first; the extended report names the last one.
  const alert = field(body, 'lastAlert', alertSchema, dropped) ?? (Array.isArray(body.alerts) ? field({ first: body.alerts[0] }, 'first', alertSchema, dropped, 'alerts.') : null);
  const state: ReportedState = {
    software: field(body, 'software', z.string().min(1).max(128), dropped),
    snapshotVersion: field(config, 'snapshotVersion', version, dropped, 'config.'),
    rulesVersion: field(config, 'rulesVersion', version, dropped, 'config.') ?? field(versions, 'bundle', version, dropped, 'versions.'),
    scopeVersions,
    configExpires: field(config, 'expires', time, dropped, 'config.'),
    drivers: field(body, 'drivers', z.record(z.string(), z.unknown()), dropped),
    outboxDepth: field(body, 'outboxDepth', version, dropped),
    clockOffsetMs: field(body, 'clockOffsetMs', z.number().finite().transform(Math.round), dropped),
    lastAlert: alert ? toAlert(alert) : null,
    lastRefusal: refusal ? toRefusal(refusal) : null,
    at: field(body, 'at', time, dropped),
  };
  return { ok: true, state, dropped };
}

/** `online` / `offline` on `devices/{id}/availability` (the last will says offline). */
export function parseAvailability(payload: Buffer): { ok: true; online: boolean } | { ok: false; code: 'DEVICE_STATE_MALFORMED'; reason: string } {
  const word = payload.length <= 16 ? payload.toString('utf8').trim() : '';
  if (word === 'online') return { ok: true, online: true };
  if (word === 'offline') return { ok: true, online: false };
  return { ok: false, code: 'DEVICE_STATE_MALFORMED', reason: 'availability is neither online nor offline' };
}
