import type { Database } from 'better-sqlite3';
import { newStaffCardKey } from '../../identity/staff-card-hash.ts';

/** The hub's key for staff card hashes, made on first use and kept in schema_meta. */
export function staffCardKey(db: Database): Buffer {
  const row = db.prepare<[], { value: string }>("SELECT value FROM schema_meta WHERE key = 'staff_card_key'").get();
  if (row) return Buffer.from(row.value, 'base64');
  const key = newStaffCardKey();
  db.prepare("INSERT INTO schema_meta (key, value) VALUES ('staff_card_key', ?)").run(key.toString('base64'));
  return key;
}
