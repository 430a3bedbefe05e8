/**
 * A consistent copy of one SQLite database while its owner (the hub) keeps writing, with SQLite's online backup
 * API (better-sqlite3's `backup()`).
 *
 * Why all pages in one step: the backup API copies pages in steps, and when another connection writes to the
 * source between two steps the backup starts over. Against a hub applying a kiosk's sale every few milliseconds,
 * a backup of 100 pages a step restarted without end in a trial here (20,000 steps for a 12,500-page database
 * before it got lucky). One step holds a single read transaction for the whole copy instead; in WAL mode a reader
 * blocks no writer, so the hub goes on applying transactions (they go to its WAL, which is checkpointed once the
 * copy's read ends) and the copy is the database exactly as of the step's first read: 12,500 pages in ~0.3 s
 * while a writer committed every 2 ms.
 *
 * The copy is written beside its final name, checked with PRAGMA integrity_check, switched to journal_mode=DELETE
 * (a single self-contained file: no -wal to carry along; the hub turns WAL back on when it opens a restored one),
 * fsynced, and only then renamed into place.
 */
import { renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CodedError } from '../../core/errors/coded-error.ts';
import { fsyncPath } from './durable-files.ts';

/** backup()'s progress answer is the page count of the next step; this is "all that remain" (SQLite's cap). */
const ALL_REMAINING_PAGES = 0x7fffffff;

export interface SqliteCopy {
  /** Pages in the copy. */
  pages: number;
  /** PRAGMA user_version of the copy: the schema version our migrations keep. */
  userVersion: number;
  /** When the snapshot was read. */
  copiedAt: string;
}

/** Copies the database at `source` to `destination` (which must not exist) as one consistent snapshot. */
export async function copySqliteOnline(source: string, destination: string): Promise<SqliteCopy> {
  // Read-only: the backup never writes the hub's database. The busy timeout covers the moment a checkpoint or
  // the hub's opening holds the WAL index exclusively.
  const db = new Database(source, { readonly: true, fileMustExist: true });
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  let copiedAt = new Date().toISOString();
  try {
    db.pragma('busy_timeout = 10000');
    await db.backup(partial, {
      progress: () => {
        // Called after the first (empty) step that sizes the copy: the next step takes every page at once.
        copiedAt = new Date().toISOString();
        return ALL_REMAINING_PAGES;
      },
    });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
  const copy = new Database(partial);
  try {
    const problems = copy.pragma('integrity_check') as { integrity_check: string }[];
    if (problems.length !== 1 || problems[0]?.integrity_check !== 'ok') {
      throw new CodedError('BACKUP_COPY_CORRUPT', `the copy of ${source} failed its integrity check: ${problems.slice(0, 5).map((p) => p.integrity_check).join('; ')}`);
    }
    copy.pragma('journal_mode = DELETE');
    const pages = copy.pragma('page_count', { simple: true }) as number;
    const userVersion = copy.pragma('user_version', { simple: true }) as number;
    copy.close();
    fsyncPath(partial);
    renameSync(partial, destination);
    return { pages, userVersion, copiedAt };
  } catch (error) {
    if (copy.open) copy.close();
    rmSync(partial, { force: true });
    throw error;
  }
}

/** What a ledger copy holds (read-only): its transaction count, which a restore must find again, and its schema. */
export function describeLedgerCopy(ledgerCopy: string): { transactions: number; schemaVersion: number | null } {
  const db = new Database(ledgerCopy, { readonly: true, fileMustExist: true });
  try {
    const transactions = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM transactions').get()?.n ?? 0;
    // The ledger keeps its schema version in schema_meta (hub/ledger/sqlite/migrate-schema.ts), not in user_version.
    const version = db.prepare<[], { value: string }>("SELECT value FROM schema_meta WHERE key = 'schema_version'").get()?.value;
    return { transactions, schemaVersion: version === undefined ? null : Number(version) };
  } finally {
    db.close();
  }
}
