/**
 * The store as the kiosk shows it and what its receipts (and its flows' printed notes) are made with: the store's
 * profile from the settings file, HQ's texts, items and rules from the signed configuration, the kiosk's own key
 * to sign them. Apart from device/main.ts so the composition root reads as steps.
 */
import type { Logger } from 'pino';
import { DEFAULT_STORE_TIMEZONE } from '../../core/fleet/store-profile.ts';
import type { ConfigStore } from '../config/config-store.ts';
import { receiptLines } from '../config/config-view.ts';
import { createReceiptSigner, loadDeviceKey } from '../receipt/receipt-signer.ts';
import { ownReceiptText, type SettingsStore } from '../settings/settings-store.ts';
import type { ResolvedDeviceConfig } from './device-config.ts';

/** Reads the kiosk's key now (device.key from enrolment); the two views read the settings and configuration at each call. */
export function storeAndReceiptViews(inputs: { config: ResolvedDeviceConfig; settingsStore: SettingsStore; configStore: ConfigStore; logger: Logger }) {
  const { config, settingsStore, configStore } = inputs;
  // Receipts are signed with the kiosk's own key from enrolment (device.key), checked by the hub.
  const deviceKey = loadDeviceKey(config.dataDir, inputs.logger);
  const signReceipt = deviceKey ? createReceiptSigner(deviceKey, inputs.logger) : null;
  /** The store as the hub last described it; before it ever did, its id and the default zone. */
  const storeView = () => {
    const current = settingsStore.get();
    const profile = current.storeProfile?.storeId === current.storeId ? current.storeProfile : undefined;
    return { storeId: current.storeId, name: profile?.name ?? current.storeId, address: profile?.address ?? '', phone: profile?.phone ?? '', timezone: profile?.timezone ?? DEFAULT_STORE_TIMEZONE };
  };
  /** What receipts (and the flows' printed notes) are made with. */
  const receiptContext = () => {
    const current = settingsStore.get();
    // HQ's texts from the configuration; the settings file's only where the configuration has none.
    const text = configStore.current()?.effective.receipt;
    const own = ownReceiptText(current);
    const store = storeView();
    return {
      header: receiptLines(text?.header, config.hardware.language) ?? own.header,
      footer: receiptLines(text?.footer, config.hardware.language) ?? own.footer,
      store: current.storeId,
      deviceId: current.deviceId,
      paperWidthMm: config.hardware.paperWidthMm,
      language: config.hardware.language,
      // The top of the receipt and its time zone: the store's profile once the hub gave one.
      storeProfile: current.storeProfile?.storeId === current.storeId ? store : null,
      items: configStore.current()?.effective.items ?? [],
      bundle: configStore.rules(),
      regionId: configStore.current()?.snapshot.regionId ?? null,
      signReceipt,
    };
  };
  return { storeView, receiptContext };
}
