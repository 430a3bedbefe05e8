/**
 * The kiosk's alerts: what went wrong without anything crashing (its clock is off, another sender took its
 * seqs, the hub refused a queued transaction). Kept in the device's data file so a restart does not forget
 * them, shown in `GET /api/state` and in the retained state report the hub reads, and logged at warn.
 * Only the newest KEEP are kept: an alert is for people to look at, not an audit trail (the hub keeps that).
 */
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { alertSchema, type Alert, type AlertCode } from '../../core/wire/alerts.ts';

const KEEP = 100;

export interface AlertLog {
  raise(code: AlertCode, detail: Record<string, unknown>): Alert;
  recent(limit: number): Alert[];
  close(): void;
}

export function openAlertLog(opts: { path: string; logger: Logger; now?: () => number }): AlertLog {
  const now = opts.now ?? Date.now;
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  // Not money: losing the last alert in a power cut is acceptable, slowing the outbox is not.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS device_alerts (
    alert_id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT NOT NULL
  ) STRICT`);
  const insert = db.prepare<[string, string, string]>('INSERT INTO device_alerts (code, at, detail) VALUES (?, ?, ?)');
  const prune = db.prepare<[number]>('DELETE FROM device_alerts WHERE alert_id <= (SELECT max(alert_id) FROM device_alerts) - ?');
  const newest = db.prepare<[number], { code: string; at: string; detail: string }>('SELECT code, at, detail FROM device_alerts ORDER BY alert_id DESC LIMIT ?');

  return {
    raise(code, detail) {
      const alert: Alert = { code, at: new Date(now()).toISOString(), detail };
      insert.run(code, alert.at, JSON.stringify(detail));
      prune.run(KEEP);
      opts.logger.warn({ code, ...detail }, 'alert');
      return alert;
    },
    recent(limit) {
      return newest.all(limit).flatMap((row) => {
        const parsed = alertSchema.safeParse({ code: row.code, at: row.at, detail: JSON.parse(row.detail) as unknown });
        return parsed.success ? [parsed.data] : [];
      });
    },
    close() {
      db.close();
    },
  };
}
