/**
 * Whether another process has a SQLite database open — for a restore, which must never replace the files under a
 * running hub (its open connections would go on writing into the files it moved aside, or into the new ones
 * through stale WAL indexes).
 *
 * How: in WAL mode every open connection holds a shared lock on the database file for as long as it is open, even
 * idle. A connection in exclusive locking mode asking for an exclusive lock, without waiting (busy_timeout 0),
 * gets SQLITE_BUSY while any other connection is open anywhere on the machine, and the lock otherwise. Exclusive
 * locking mode keeps SQLite from touching the WAL index, so asking leaves no -wal or -shm behind.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';

export function isDatabaseInUse(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (error) {
    // SQLite's busy family (SQLITE_BUSY and its extended codes): someone else holds the file.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
    throw error;
  } finally {
    db.close();
  }
}
