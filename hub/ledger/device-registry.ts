/** What the hub keeps about each kiosk outside its transactions: its measured clock and its alerts. */
import type { AlertCode } from '../../core/wire/alerts.ts';

export interface DeviceAlertRow {
  alertId: number;
  deviceId: string;
  code: AlertCode;
  detail: Record<string, unknown>;
  at: string;
}

export interface DeviceRegistry {
  /** hub − kiosk clock offset measured when the kiosk connected. */
  recordClockMeasurement(deviceId: string, offsetMs: number, at: string): Promise<void>;
  raiseDeviceAlert(deviceId: string, code: AlertCode, detail: Record<string, unknown>): Promise<void>;
  /** Newest first. */
  deviceAlerts(limit: number, deviceId?: string): Promise<DeviceAlertRow[]>;
}
