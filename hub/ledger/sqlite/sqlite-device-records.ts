/**
 * What the SQLite ledger keeps of kiosks beside their transactions (../device-registry.ts): the clock offset the hub
 * last measured, and the alerts raised about a kiosk (skewed clocks, moved epochs, refused content), newest first.
 */
import type { Database as DatabaseHandle } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { DeviceAlertRow } from '../device-registry.ts';

interface AlertRowDb {
  alert_id: number;
  device_id: string;
  code: string;
  detail: string;
  at: string;
}

export function recordClockMeasurement(db: DatabaseHandle, deviceId: string, offsetMs: number, at: string): void {
  db.prepare(
    `INSERT INTO devices (device_id, clock_offset_ms, clock_measured_at) VALUES (?, ?, ?)
     ON CONFLICT(device_id) DO UPDATE SET clock_offset_ms = excluded.clock_offset_ms, clock_measured_at = excluded.clock_measured_at`,
  ).run(deviceId, offsetMs, at);
}

/** Stored and logged: an alert is for the console and for whoever reads the hub's log. */
export function raiseDeviceAlert(db: DatabaseHandle, log: Logger, deviceId: string, code: DeviceAlertRow['code'], detail: Record<string, unknown>): void {
  const at = new Date().toISOString();
  db.prepare('INSERT INTO device_alerts (device_id, code, detail, at) VALUES (?, ?, ?, ?)').run(deviceId, code, JSON.stringify(detail), at);
  log.warn({ code, deviceId, ...detail }, 'device alert');
}

export function deviceAlerts(db: DatabaseHandle, limit: number, deviceId?: string): DeviceAlertRow[] {
  const rows = deviceId
    ? db.prepare<[string, number], AlertRowDb>('SELECT alert_id, device_id, code, detail, at FROM device_alerts WHERE device_id = ? ORDER BY alert_id DESC LIMIT ?').all(deviceId, limit)
    : db.prepare<[number], AlertRowDb>('SELECT alert_id, device_id, code, detail, at FROM device_alerts ORDER BY alert_id DESC LIMIT ?').all(limit);
  return rows.map((r) => ({ alertId: r.alert_id, deviceId: r.device_id, code: r.code as DeviceAlertRow['code'], detail: JSON.parse(r.detail) as Record<string, unknown>, at: r.at }));
}
