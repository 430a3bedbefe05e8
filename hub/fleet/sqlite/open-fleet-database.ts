/**
 * One connection to a hub's fleet.sqlite, opened the same way by each part that keeps its tables there (the
 * fleet registry, the signed-configuration store, the device registry) and by the CLI beside a running hub: WAL,
 * a busy timeout so a writer waits for the other instead of failing at once, and the fleet migrations — whoever
 * opens the file first migrates it, the others find it done.
 */
import Database, { type Database as Db } from 'better-sqlite3';
import type { Logger } from 'pino';
import { migrateFleet } from './migrate-fleet.ts';

export interface FleetDatabaseOptions {
  /** FULL for what must survive a power cut (enrolments, signed configuration); NORMAL for what kiosks repeat on reconnect. */
  synchronous: 'FULL' | 'NORMAL';
  foreignKeys?: boolean;
  logger?: Logger | null;
}

export function openFleetDatabase(path: string, options: FleetDatabaseOptions): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  if (options.foreignKeys) db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  for (const migration of migrateFleet(db)) options.logger?.info({ to: migration.to, why: migration.why }, 'fleet schema migrated');
  return db;
}
