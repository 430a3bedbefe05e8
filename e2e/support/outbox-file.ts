/** Reads a kiosk's outbox (DIR/device.sqlite) read-only: what the kiosk durably promised to deliver. */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface OutboxRow {
  pos: number;
  epoch: string;
  seq: number;
  id: string;
  status: string;
}

export function readOutboxEntries(deviceDataDir: string): OutboxRow[] {
  const db = new Database(join(deviceDataDir, 'device.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], OutboxRow>(`SELECT pos, epoch, seq, id, status FROM outbox ORDER BY pos`).all();
  } finally {
    db.close();
  }
}
