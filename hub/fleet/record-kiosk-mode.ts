/**
 * A kiosk's mode (attended or unattended) is chosen when HQ makes its enrolment code; the fleet registry keeps it,
 * and the ledger keeps a copy where it applies transactions (cash from an unattended kiosk is refused there).
 * Every enrolment and every hub start writes the registry's mode into the ledger, so the two never disagree.
 */
import type { IdentityStore } from '../identity/identity-store.ts';
import type { FleetRegistry, KioskMode } from './fleet-registry.ts';

export async function recordKioskMode(ledger: Pick<IdentityStore, 'setDeviceMode' | 'setDeviceStore'>, device: { deviceId: string; mode: KioskMode; storeId: string }): Promise<void> {
  await ledger.setDeviceMode(device.deviceId, device.mode);
  // and its store: the ledger refuses a transaction of this kiosk naming another (TX_STORE_MISMATCH).
  await ledger.setDeviceStore(device.deviceId, device.storeId);
}

export async function syncKioskModes(fleet: Pick<FleetRegistry, 'listDevices'>, ledger: Pick<IdentityStore, 'setDeviceMode' | 'setDeviceStore'>): Promise<number> {
  const devices = await fleet.listDevices();
  for (const device of devices) await recordKioskMode(ledger, device);
  return devices.length;
}
