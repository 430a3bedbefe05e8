/**
 * Which files of a data directory are SQLite databases (by their header, so a database added to DATA later is
 * backed up online without a list to update), and which are their side files: a database's -wal, -shm and
 * -journal belong to the live file and are never copied on their own (an old -wal next to a newer copy of its
 * database would be replayed into it).
 */
import { closeSync, openSync, readSync } from 'node:fs';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
export const SQLITE_SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

export function isSqliteDatabase(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

/** The database a side file belongs to ('ledger.sqlite-wal' → 'ledger.sqlite'), or null for any other file. */
export function databaseOfSideFile(path: string): string | null {
  const suffix = SQLITE_SIDE_FILE_SUFFIXES.find((s) => path.endsWith(s));
  return suffix ? path.slice(0, -suffix.length) : null;
}
