/**
 * What technician mode shows of this kiosk beyond its live state: the software, the enrolment, the hub's last
 * clock measurement, the configured hardware and the kiosk's Node-RED. Apart from device/main.ts so the
 * composition root reads as steps.
 */
import type { TechnicianInfo } from '../app/technician-mode.ts';
import type { KioskFlows } from '../automation/kiosk-flows.ts';
import { describeHardware } from '../hardware/build-hardware.ts';
import { isProvisioned, readProvisioning } from '../provisioning/stored-provisioning.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import { SOFTWARE_VERSION } from '../software-version.ts';
import type { ResolvedDeviceConfig } from './device-config.ts';

export function technicianInfo(inputs: {
  config: ResolvedDeviceConfig;
  settingsStore: SettingsStore;
  /** When this kiosk was enrolled (enrolmentTime), if it was. */
  enrolledAt: string | undefined;
  /** The offset the hub last measured, if it ever did. */
  clockOffsetMs: () => number | undefined;
  /** The kiosk's flows once started (null when switched off). */
  flows: () => KioskFlows | null | undefined;
}): TechnicianInfo {
  const { config, settingsStore, enrolledAt } = inputs;
  return {
    softwareVersion: SOFTWARE_VERSION,
    enrolment: () => ({ hubUrl: settingsStore.get().hubUrl, ...(enrolledAt ? { since: enrolledAt } : {}) }),
    clock: () => {
      const clockOffsetMs = inputs.clockOffsetMs();
      const measuredAt = settingsStore.get().clockMeasuredAt;
      return { ...(clockOffsetMs !== undefined ? { skewMs: clockOffsetMs } : {}), ...(measuredAt ? { measuredAt } : {}) };
    },
    hardware: () => describeHardware(config.hardware),
    nodeRed: () => {
      const status = inputs.flows()?.runtime.status();
      return status ? { state: status.state, editorUrl: status.url, kills: status.kills, lastExit: status.lastExit } : null;
    },
  };
}

/** For technicians: when this kiosk was enrolled (absent for a kiosk started with --hub/--id/--store only). */
export function enrolmentTime(dataDir: string): string | undefined {
  try {
    return isProvisioned(dataDir) ? readProvisioning(dataDir).enrolledAt : undefined;
  } catch {
    return undefined;
  }
}
