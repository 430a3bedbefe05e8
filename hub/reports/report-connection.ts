/**
 * A read-only connection to the ledger's file for reports: never the ledger's writing connection (better-sqlite3
 * is synchronous, and a long read on it would hold up every kiosk's transaction), WAL lets it read beside the
 * writer, and the file is memory-mapped, so the scattered pages a report reads cost no system call each.
 */
import Database, { type Database as Db } from 'better-sqlite3';

/** Address space, not memory: pages are read from the file as they are touched. */
const MMAP_BYTES = 4 * 1024 ** 3;

export function openReportConnection(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma(`mmap_size = ${MMAP_BYTES}`);
  return db;
}
