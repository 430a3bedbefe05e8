/**
 * A configuration scope as the wire names it — `global`, `region/R`, `store/S`, `device/D` (the topic suffix of
 * core/wire/config-scopes.ts) — and as people type it on the command line: `global`, `region:R`, `store:S`,
 * `kiosk:K`. Broadest first is the order a kiosk merges them in.
 */
import { z } from 'zod';
import { CodedError } from '../errors/coded-error.ts';

const ID = '[A-Za-z0-9_-]{1,64}';
export const CONFIG_SCOPE_PATTERN = new RegExp(`^(global|region/${ID}|store/${ID}|device/${ID})$`);
export const configScopeSchema = z.string().regex(CONFIG_SCOPE_PATTERN, 'must be global, region/R, store/S or device/D');
export type ConfigScope = string;

export type ScopeLevel = 'global' | 'region' | 'store' | 'device';
export const SCOPE_LEVELS: readonly ScopeLevel[] = ['global', 'region', 'store', 'device'];

export function scopeLevelOf(scope: ConfigScope): ScopeLevel {
  const level = scope.split('/')[0];
  if (level === 'global' || level === 'region' || level === 'store' || level === 'device') return level;
  throw new CodedError('CONFIG_SCOPE_INVALID', `not a configuration scope: ${scope}`);
}

/** `global`, `region:R`, `store:S`, `kiosk:K` (or the wire form) → the wire form; anything else CONFIG_SCOPE_INVALID. */
export function parseScopeArgument(text: string): ConfigScope {
  const wire = text.replace(/^kiosk[:/]/, 'device/').replace(/^(region|store|device):/, '$1/');
  if (!CONFIG_SCOPE_PATTERN.test(wire)) throw new CodedError('CONFIG_SCOPE_INVALID', `scope must be global, region:R, store:S or kiosk:K, not "${text}"`);
  return wire;
}

/** The scopes one kiosk applies, broadest first. */
export function scopesForKiosk(target: { deviceId: string; storeId: string; regionId: string | null }): ConfigScope[] {
  return ['global', ...(target.regionId ? [`region/${target.regionId}`] : []), `store/${target.storeId}`, `device/${target.deviceId}`];
}
