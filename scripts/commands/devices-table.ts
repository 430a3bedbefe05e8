/**
 * `memberkiosk devices` as a person reads it: one padded row per kiosk, then, for a scope and a version, the
 * rollout in one line and each refusal with its reason. Plain columns (no table library in the dependencies).
 */
import type { DeviceView, DevicesView } from '../../hub/registry/devices-view.ts';

const DASH = '-';

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago", or "never". */
export function relativeTime(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return '?';
  const seconds = Math.floor((now - at) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** hub − kiosk: "+120ms", "-3.4s", "+2m". */
export function clockSkew(ms: number | null): string {
  if (ms === null) return DASH;
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${abs}ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)}s`;
  return `${sign}${Math.round(abs / 60_000)}m`;
}

function onlineText(d: DeviceView): string {
  if (d.revokedAt !== null) return 'revoked';
  if (d.online === null) return d.reported ? '?' : 'never';
  return d.online ? 'online' : 'offline';
}

function refusalText(d: DeviceView): string {
  const r = d.lastRefusal;
  if (!r) return DASH;
  const what = [r.code, r.version === null ? null : `v${r.version}`, r.scope].filter((part) => part !== null).join(' ');
  return r.detail ? `${what}: ${oneLine(r.detail, 60)}` : what;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Padded columns; the last one is not padded (it holds free text). */
function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

export function formatDevicesView(view: DevicesView, now: number): string {
  const { devices, rollout } = view;
  if (devices.length === 0) return view.scope ? `no kiosks in ${view.scope}\n` : 'no kiosks enrolled or reported\n';
  const rolloutOf = new Map<string, string>();
  if (rollout) {
    for (const a of rollout.applied) rolloutOf.set(a.deviceId, `applied v${a.version}`);
    for (const r of rollout.refused) rolloutOf.set(r.deviceId, 'REFUSED');
    for (const n of rollout.notReported) rolloutOf.set(n.deviceId, n.reported ? `not yet (${n.version === null ? 'none' : `v${n.version}`})` : 'not reported');
  }
  const header = ['DEVICE', 'STORE', 'ONLINE', 'LAST SEEN', 'SOFTWARE', 'SNAPSHOT', 'OUTBOX', 'CLOCK', ...(rollout ? [`${rollout.scope} v${rollout.version}`] : []), 'LAST REFUSAL'];
  const rows = devices.map((d) => [
    d.deviceId,
    d.storeId ?? DASH,
    onlineText(d),
    relativeTime(d.lastSeen, now),
    d.software ?? DASH,
    d.snapshotVersion === null ? DASH : String(d.snapshotVersion),
    d.outboxDepth === null ? DASH : String(d.outboxDepth),
    clockSkew(d.clockOffsetMs),
    ...(rollout ? [rolloutOf.get(d.deviceId) ?? DASH] : []),
    refusalText(d),
  ]);
  let out = `${table([header, ...rows])}\n`;
  if (rollout) {
    const total = rollout.applied.length + rollout.refused.length + rollout.notReported.length;
    out += `\n${rollout.scope} version ${rollout.version}: ${rollout.applied.length} of ${total} applied, ${rollout.refused.length} refused, ${rollout.notReported.length} not reported\n`;
    for (const r of rollout.refused) out += `  refused by ${r.deviceId}: ${r.code}${r.detail ? ` — ${oneLine(r.detail, 200)}` : ''}${r.at ? ` (${r.at})` : ''}\n`;
  }
  return out;
}
