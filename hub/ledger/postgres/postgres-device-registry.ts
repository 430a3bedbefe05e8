/**
 * The PostgreSQL side of the device registry (../device-registry.ts), moved out of postgres-ledger-store.ts: each
 * kiosk's measured clock offset and the alerts raised about devices outside a batch (a batch's own alerts are
 * written by the write port, in its database transaction, and logged once it committed).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { DeviceAlertRow } from '../device-registry.ts';

interface AlertRow {
  alert_id: number;
  device_id: string;
  code: string;
  detail: string;
  at: string;
}

export class PostgresDeviceRegistry {
  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  async recordClockMeasurement(deviceId: string, offsetMs: number, at: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO devices (device_id, clock_offset_ms, clock_measured_at) VALUES ($1, $2, $3)
       ON CONFLICT (device_id) DO UPDATE SET clock_offset_ms = excluded.clock_offset_ms, clock_measured_at = excluded.clock_measured_at`,
      [deviceId, offsetMs, at],
    );
  }

  async raiseDeviceAlert(deviceId: string, code: DeviceAlertRow['code'], detail: Record<string, unknown>): Promise<void> {
    await this.pool.query('INSERT INTO device_alerts (device_id, code, detail, at) VALUES ($1, $2, $3, $4)', [deviceId, code, JSON.stringify(detail), new Date().toISOString()]);
    this.log.warn({ code, deviceId, ...detail }, 'device alert');
  }

  async deviceAlerts(limit: number, deviceId?: string): Promise<DeviceAlertRow[]> {
    const { rows } = deviceId
      ? await this.pool.query<AlertRow>('SELECT alert_id, device_id, code, detail, at FROM device_alerts WHERE device_id = $1 ORDER BY alert_id DESC LIMIT $2', [deviceId, limit])
      : await this.pool.query<AlertRow>('SELECT alert_id, device_id, code, detail, at FROM device_alerts ORDER BY alert_id DESC LIMIT $1', [limit]);
    return rows.map((r) => ({ alertId: r.alert_id, deviceId: r.device_id, code: r.code as DeviceAlertRow['code'], detail: JSON.parse(r.detail) as Record<string, unknown>, at: r.at }));
  }
}
