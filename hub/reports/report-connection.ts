/**
 * A read-only connection to the ledger's file for reports: never the ledger's writing connection (better-sqlite3
 * is synchronous, and a long read on it would hold up every kiosk's transaction), and WAL lets it read beside the
 * writer. Not memory-mapped: a mapped ledger counts in the hub's resident memory page by page as an export
 * touches it (2 GB for a year of 50 stores), which is what an operator watching the hub sees.
 */
import Database, { type Database as Db } from 'better-sqlite3';

export function openReportConnection(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}
