/**
 * What the hub says about this kiosk (the device.profile look-up): how it stands (attended or unattended) and its
 * store's profile (name, address, phone, time zone). Asked on every connect and every `refreshMs` while connected
 * (a store's address changed at HQ reaches its kiosks within that), and kept in the settings file, so a kiosk
 * that restarts without its hub still prints its store's name and local time.
 */
import type { Logger } from 'pino';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { StoreProfile } from '../../core/fleet/store-profile.ts';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';
import type { SettingsStore } from './settings-store.ts';

export interface DeviceProfileSyncDeps {
  lookup(request: LookupRequest, timeoutMs: number): Promise<LookupResponse | null>;
  on(event: 'connected', listener: () => void): unknown;
  isConnected(): boolean;
  settings: Pick<SettingsStore, 'get' | 'update'>;
  /** The hub changed how this kiosk stands (the composition root keeps it for the use cases). */
  modeChanged(mode: KioskMode): void;
  logger: Logger;
  /** How often to ask again while connected; default 5 minutes. */
  refreshMs?: number;
}

export interface DeviceProfileSync {
  /** Asks now (a no-op answer when the hub is away). */
  refresh(): Promise<void>;
  stop(): void;
}

const sameProfile = (a: StoreProfile | undefined, b: StoreProfile): boolean =>
  a !== undefined && a.storeId === b.storeId && a.name === b.name && a.address === b.address && a.phone === b.phone && a.timezone === b.timezone;

export function syncDeviceProfile(deps: DeviceProfileSyncDeps): DeviceProfileSync {
  const log = deps.logger;
  async function refresh(): Promise<void> {
    try {
      const answer = await deps.lookup({ op: 'device.profile' }, 5000);
      if (!answer?.ok || !('profile' in answer)) return;
      const { mode, store } = answer.profile;
      const saved = deps.settings.get();
      if (mode !== (saved.kioskMode ?? 'unattended')) {
        log.info({ mode }, 'kiosk mode set by the hub');
        deps.modeChanged(mode);
      }
      // A profile for another store than the one this kiosk runs as (a stale answer) is not this kiosk's.
      const storeChanged = store !== undefined && store.storeId === saved.storeId && !sameProfile(saved.storeProfile, store);
      if (storeChanged) log.info({ storeId: store.storeId, timezone: store.timezone }, 'store profile from the hub');
      if (mode !== saved.kioskMode || storeChanged) await deps.settings.update({ kioskMode: mode, ...(storeChanged ? { storeProfile: store } : {}) });
    } catch (error) {
      log.warn({ err: error }, 'could not ask the hub for this kiosk\'s profile');
    }
  }
  deps.on('connected', () => void refresh());
  const timer = setInterval(() => {
    if (deps.isConnected()) void refresh();
  }, deps.refreshMs ?? 300_000);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
